"""How the observatory's pages write an indicator's level and its figures."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

from guichet.observatory.indicators import as_decimal, half_up

register = template.Library()

# The DSFR badge of each colour level; the badge always carries the level's meaning in words.
_LEVEL_BADGES = {
    "blue": "fr-badge--info",
    "green": "fr-badge--success",
    "yellow": "fr-badge--yellow-tournesol",
    "orange": "fr-badge--warning",
    "red": "fr-badge--error",
    "gray": "",
}


@register.filter
def level_badge(verdict) -> str:
    """The colour level of an indicator as a badge whose text says what the colour means."""
    return format_html(
        '<p class="fr-badge fr-badge--sm fr-badge--no-icon {}" data-level="{}">{}</p>',
        _LEVEL_BADGES.get(verdict.level, ""),
        verdict.level,
        verdict.level_text,
    )


@register.filter
def figure(value, digits: int = 1) -> str:
    """A figure in French (« 8,5 »), or a dash when there is none."""
    if value is None or value == "":
        return "—"
    return number_format(half_up(value, int(digits)), decimal_pos=int(digits), use_l10n=True, force_grouping=True)


@register.filter
def years(value) -> str:
    """A duration in years in French (« 1,5 an », « 6,2 ans »: plural from two), or a dash."""
    if value is None:
        return "—"
    return f"{figure(value)} {'ans' if half_up(value, 1) >= 2 else 'an'}"


@register.filter
def drift_percent(value) -> str:
    """A drift (a fraction) as a signed percentage: « +12,5 % »."""
    if value is None:
        return "—"
    text = number_format(half_up(100 * as_decimal(value), 1), decimal_pos=1, use_l10n=True)
    return f"+{text} %" if value > 0 else f"{text} %"


@register.filter
def euros(value) -> str:
    if value is None:
        return "—"
    return number_format(half_up(value, 0), decimal_pos=0, use_l10n=True, force_grouping=True) + " €"


@register.filter
def meuros(value) -> str:
    """An amount in millions of euros as the panorama writes it: « 26,6 M€ », « 2,5 Md€ » from a
    thousand millions."""
    if value is None:
        return "—"
    value = as_decimal(value)
    if abs(value) >= 1000:
        return number_format(half_up(value / 1000, 2), decimal_pos=2, use_l10n=True) + " Md€"
    return number_format(half_up(value, 1), decimal_pos=1, use_l10n=True, force_grouping=True) + " M€"
