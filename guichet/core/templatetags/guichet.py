from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from guichet.core.dsfr import choice_input_html, field_html
from guichet.core.markdown import markdown_render

register = template.Library()


@register.filter
def markdown(text: str):
    """An administrator's text in the safe Markdown subset (see guichet.core.markdown)."""
    return markdown_render(text)


@register.filter
def choice_input(choice) -> str:
    """The <input> of one option of a radio or checkbox list (a BoundWidget), written directly."""
    return choice_input_html(choice)


@register.simple_tag
def dsfr_field(field) -> str:
    """One form field in the design system's markup (guichet.core.dsfr)."""
    return field_html(field)


_STATE_BADGES = {
    "accepted": " fr-badge--success",
    "refused": " fr-badge--error",
    "draft": " fr-badge--new",
    "in_instruction": " fr-badge--info",
    "submitted": " fr-badge--info",
}


@register.filter
def state_badge(dossier) -> str:
    """The badge of a dossier's state, written directly: the lists show fifty, and an included
    template per row was a good part of the page's time."""
    return _state_badge(type(dossier), dossier.state, get_language())


@lru_cache(maxsize=256)
def _state_badge(model, state: str, language: str) -> str:
    # Once per state and language: the states' labels are translated texts.
    field = model._meta.get_field("state")
    label = dict(field.flatchoices).get(state, state) if field.choices else state
    return format_html(
        '<p class="fr-badge fr-badge--sm fr-badge--no-icon{}">{}</p>', _STATE_BADGES.get(state, ""), str(label)
    )


@register.filter
def deadline_badge(deadline) -> str:
    """A dossier's deadline for instructors (dossiers.deadlines.DeadlineStatus or None), written
    directly for the same reason as the state's badge: past in red, within a week in orange."""
    if deadline is None:
        return ""
    if deadline.overdue:
        return format_html('<span class="fr-badge fr-badge--sm fr-badge--error">{}</span>', "Délai dépassé")
    if deadline.days_left <= 7:
        label = deadline.label[:1].upper() + deadline.label[1:]
        return format_html('<span class="fr-badge fr-badge--sm fr-badge--warning">{}</span>', label)
    return format_html("jusqu’au {}", deadline.last_day.strftime("%d/%m/%Y"))
