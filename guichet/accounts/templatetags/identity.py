"""Template filters for a person's name, over accounts.names (the one helper for it)."""

from django import template

from guichet.accounts.names import NO_NAME, identity_display_name, user_display_name

register = template.Library()


@register.filter
def display_name(person) -> str:
    """A user or a dossier's identity (a dict), as its display name: never empty."""
    if isinstance(person, dict):
        return identity_display_name(person)
    return user_display_name(person)


@register.filter
def name_or_missing(value) -> str:
    """One of a person's names, or « non renseigné » (never a bare dash that reads as nothing)."""
    return str(value).strip() if value and str(value).strip() else NO_NAME
