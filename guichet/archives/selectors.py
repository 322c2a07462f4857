"""Reads of the archivist's space, by who asks: an archivist reaches the procedures and dossiers of
the organisations where they hold the role, and of the organisations below them (a ministry's
archives service serves its directorates); a superuser reaches everything. The retention settings
of a procedure are managed by its administrators and by those archivists."""

from django.db.models import Count, Q, QuerySet

from guichet.accounts.models import Organisation, OrganisationRole, User
from guichet.dossiers.models import Dossier
from guichet.procedures.models import FinalFate, Procedure
from guichet.procedures.selectors import organisation_ids_administered_by

from .models import ArchivalState, ArchiveTransfer, DossierRetention, TransferStatus


def _with_descendants(ids: set[int]) -> set[int]:
    frontier = set(ids)
    while frontier:  # a tree is a few levels deep: one query per level
        frontier = set(Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def organisation_ids_archived_by(user: User) -> set[int]:
    """The organisations whose archives a person looks after (the archivist role, inherited below)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Organisation.objects.values_list("pk", flat=True))
    return _with_descendants(
        set(
            OrganisationRole.objects.filter(user=user, role=OrganisationRole.Role.ARCHIVIST).values_list(
                "organisation_id", flat=True
            )
        )
    )


def is_archivist(user: User) -> bool:
    """Whether the person may enter the archivist's space."""
    return user.is_authenticated and (
        user.is_superuser or OrganisationRole.objects.filter(user=user, role=OrganisationRole.Role.ARCHIVIST).exists()
    )


def procedures_archived_by(user: User) -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(organisation_id__in=organisation_ids_archived_by(user))
        .select_related("organisation")
        .order_by("title")
    )


def procedures_retention_managed_by(user: User) -> QuerySet[Procedure]:
    """The procedures whose retention settings a person may read and change: as the procedure's
    administrator, or as an archivist of its organisation."""
    ids = organisation_ids_administered_by(user) | organisation_ids_archived_by(user)
    return Procedure.objects.filter(organisation_id__in=ids).select_related("organisation").order_by("title")


def procedure_for_archivist(user: User, slug: str) -> Procedure | None:
    return procedures_archived_by(user).filter(slug=slug).first()


def retentions_visible_to(user: User) -> QuerySet[DossierRetention]:
    """The dossiers' retentions of the archivist's procedures."""
    return DossierRetention.objects.filter(
        dossier__procedure__organisation_id__in=organisation_ids_archived_by(user)
    ).select_related("dossier", "dossier__procedure")


def archival_state_counts(user: User) -> dict[str, int]:
    """How many dossiers stand in each archival state (every state named, zero included)."""
    found = dict(retentions_visible_to(user).order_by().values_list("state").annotate(n=Count("pk")))
    return {state: found.get(state, 0) for state in ArchivalState.values}


def transfers_visible_to(user: User) -> QuerySet[ArchiveTransfer]:
    return (
        ArchiveTransfer.objects.filter(dossier__procedure__organisation_id__in=organisation_ids_archived_by(user))
        .select_related("dossier", "dossier__procedure")
        .order_by("-created_at", "-pk")
    )


def transfer_failures_q() -> Q:
    """The transfers that need someone's eyes: refused by the archival system, or not yet sent
    because of an error (the worker retries those by itself)."""
    return Q(status=TransferStatus.REFUSED) | (
        Q(status__in=[TransferStatus.PENDING, TransferStatus.SENT]) & ~Q(last_error="")
    )


def transfer_for_archivist(user: User, pk: int) -> ArchiveTransfer | None:
    return transfers_visible_to(user).filter(pk=pk).first()


def dossier_for_archivist(user: User, number: str = "", pk: int | None = None) -> Dossier | None:
    """One dossier of the archivist's procedures, by its number or its id."""
    dossiers = Dossier.objects.filter(procedure__organisation_id__in=organisation_ids_archived_by(user))
    if pk is not None:
        return dossiers.filter(pk=pk).first()
    return dossiers.filter(number=number.strip()).first() if number.strip() else None


def dossier_archival_summary(dossier: Dossier) -> dict | None:
    """What the instructors' dossier page says of the dossier's conservation: None until its
    retention is decided (a dossier still in instruction)."""
    retention = DossierRetention.objects.filter(dossier=dossier).first()
    if retention is None:
        return None
    transfer = ArchiveTransfer.objects.filter(dossier=dossier, status=TransferStatus.ACCEPTED).order_by("-pk").first()
    return {
        "retention": retention,
        "final_fate": FinalFate(retention.final_fate).label if retention.final_fate in FinalFate.values else "",
        "transfer": transfer,
    }
