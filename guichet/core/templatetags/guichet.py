from django import template
from django.utils.html import format_html

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
    return format_html(
        '<p class="fr-badge fr-badge--sm fr-badge--no-icon{}">{}</p>',
        _STATE_BADGES.get(dossier.state, ""),
        # Not get_state_display(): it builds the dictionary of every state's label at each call.
        _state_label(dossier),
    )


def _state_label(dossier) -> str:
    field = dossier._meta.get_field("state")
    return str(dict(field.flatchoices).get(dossier.state, dossier.state)) if field.choices else dossier.state


@register.filter
def deadline_badge(deadline) -> str:
    """A dossier's deadline for instructors (instruction.deadlines.DeadlineStatus or None), written
    directly for the same reason as the state's badge: past in red, within a week in orange."""
    if deadline is None:
        return ""
    if deadline.overdue:
        return format_html('<span class="fr-badge fr-badge--sm fr-badge--error">{}</span>', "Délai dépassé")
    if deadline.days_left <= 7:
        label = deadline.label[:1].upper() + deadline.label[1:]
        return format_html('<span class="fr-badge fr-badge--sm fr-badge--warning">{}</span>', label)
    return format_html("jusqu’au {}", deadline.last_day.strftime("%d/%m/%Y"))
