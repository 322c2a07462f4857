from django.db.models import Q, QuerySet

from guichet.accounts.models import Organisation, User
from guichet.accounts.selectors import organisations_administered_by

from .models import Procedure


def procedures_public() -> QuerySet[Procedure]:
    """What the catalogue shows to anyone: the published procedures."""
    return Procedure.objects.published().select_related("organisation").order_by("title")


def procedures_catalogue(*, query: str = "", organisation_slug: str = "") -> QuerySet[Procedure]:
    """The published procedures as the catalogue lists them, without their forms (which can be large),
    matching every word of `query` (in the title, summary, description or organisation) and, when
    given, offered by one organisation or the organisations below it."""
    procedures = (
        procedures_public()
        .select_related("organisation__parent")
        .only(
            "title",
            "slug",
            "summary",
            "organisation__name",
            "organisation__slug",
            "organisation__parent__name",
            "organisation__parent__slug",
        )
    )
    for word in query.split()[:10]:
        procedures = procedures.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(description__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    if organisation_slug:
        procedures = procedures.filter(
            Q(organisation__slug=organisation_slug) | Q(organisation__parent__slug=organisation_slug)
        )
    return procedures


def catalogue_organisations(procedures: list[Procedure]) -> list[tuple[str, str]]:
    """(slug, name) of the organisations offering the given catalogue procedures, and of those above
    them (choosing a ministry shows its directorates' procedures): the catalogue's filter."""
    found = {}
    for procedure in procedures:
        organisation = procedure.organisation
        found[organisation.slug] = organisation.name
        if organisation.parent_id:
            found[organisation.parent.slug] = organisation.parent.name
    return sorted(found.items(), key=lambda item: item[1])


def organisation_ids_administered_by(user: User) -> set[int]:
    """The organisations whose procedures a person administers: those where they hold the role, and
    everything below them (a ministry's administrator administers its directorates' procedures)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Organisation.objects.values_list("pk", flat=True))
    ids = set(organisations_administered_by(user).values_list("pk", flat=True))
    frontier = set(ids)
    while frontier:  # a tree is a few levels deep: one query per level
        frontier = set(Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def procedures_administered_by(user: User) -> QuerySet[Procedure]:
    """The procedures a person may edit, publish and close."""
    return (
        Procedure.objects.filter(organisation_id__in=organisation_ids_administered_by(user))
        .select_related("organisation")
        .order_by("title")
    )


def procedure_for_administrator(user: User, slug: str) -> Procedure | None:
    """One procedure by its slug, if the person administers it."""
    return procedures_administered_by(user).filter(slug=slug).first()
