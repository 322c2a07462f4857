"""What HubEE says of a dossier, on its pages for the applicant and for the instructors."""

from django import template

from guichet.exchanges.selectors import hubee_exchange_of

register = template.Library()


@register.inclusion_tag("hubee/_dossier_exchange.html")
def hubee_exchange(dossier, viewer: str) -> dict:
    """Where the dossier came from (a HubEE case) or where it was sent, and the status there."""
    return {"exchange": hubee_exchange_of(dossier), "viewer": viewer}
