"""Supervised elimination: the « bordereau d’élimination » that lists an organisation's dossiers
whose retention ended (final fate « détruire », or transferred to the archival system and
acknowledged), the archives service's visa (Code du patrimoine, L212-2 and R212-14), then the purge
of their personal data (archives/purge.py), in batches, resumed after a crash.

Nothing is destroyed without an approved list; a dossier under litigation hold is never listed, and
one held after the list was drawn up is left out of the purge. The list and the visa are sealed
PDF/A documents, and every step is an audit event."""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from guichet.accounts.models import Organisation, OrganisationRole, User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.sequences import sequence_next
from guichet.core.task_queue import task_enqueue_after_commit
from guichet.documents.content import organisation_lines
from guichet.documents.rendering import html_to_pdfa
from guichet.documents.seal import pdf_seal
from guichet.dossiers.models import DossierState

from .models import (
    ArchivalState,
    ArchiveTransfer,
    DossierRetention,
    EliminationEntry,
    EliminationList,
    EliminationStatus,
    TransferStatus,
)
from .purge import dossier_eliminate
from .retention import ELIMINABLE, retention_move

# How many dossiers one transaction of the purge eliminates (one at a time inside it, each whole).
PURGE_BATCH = 50
# The most dossiers one list carries: a list is read and signed by a person.
LIST_LIMIT = 5000


class EliminationRefused(ValidationError):
    """What the archivist or the proposer is told when a step is not possible now."""


def archivist_check(user: User, organisation: Organisation) -> None:
    """Only an archivist of the list's organisation gives (or refuses) the visa."""
    if not OrganisationRole.objects.filter(
        user=user, organisation=organisation, role=OrganisationRole.Role.ARCHIVIST
    ).exists():
        raise PermissionDenied("Seul un archiviste de l’organisation peut viser ce bordereau.")


def elimination_lists_for(user: User) -> QuerySet[EliminationList]:
    """The elimination lists of the organisations where `user` is an archivist, latest first."""
    organisations = OrganisationRole.objects.filter(user=user, role=OrganisationRole.Role.ARCHIVIST).values(
        "organisation"
    )
    return (
        EliminationList.objects.filter(organisation__in=organisations)
        .select_related("organisation", "created_by", "decided_by")
        .order_by("-created_at", "-pk")
    )


def elimination_list_of_archivist(user: User, pk: int) -> EliminationList:
    """One list, for an archivist of its organisation (a list of another: not found)."""
    found = elimination_lists_for(user).filter(pk=pk).first()
    if found is None:
        raise EliminationList.DoesNotExist
    return found


def _eliminable(organisation: Organisation) -> QuerySet[DossierRetention]:
    return (
        DossierRetention.objects.select_for_update()
        .filter(
            dossier__procedure__organisation=organisation,
            state__in=ELIMINABLE,
            litigation_hold=False,
            # A dossier reopened since its retention ended is being instructed again: never listed.
            dossier__state__in=DossierState.finished(),
        )
        .select_related("dossier__procedure")
        .order_by("ends_on", "pk")
    )


@dataclass(frozen=True)
class _Row:
    number: str
    procedure: str
    submitted_at: object
    decided_at: object
    state: str
    ends_on: object
    reason: str
    archive_reference: str


def _entries_rows(elimination_list: EliminationList) -> list[_Row]:
    entries = elimination_list.entries.select_related("dossier__procedure", "dossier__retention").order_by(
        "dossier__procedure__title", "dossier__number"
    )
    return [
        _Row(
            number=entry.dossier.number or "",
            procedure=entry.dossier.procedure.title,
            submitted_at=entry.dossier.submitted_at,
            decided_at=entry.dossier.decided_at,
            state=entry.dossier.get_state_display(),
            ends_on=entry.dossier.retention.ends_on,
            reason=entry.reason,
            archive_reference=entry.archive_reference,
        )
        for entry in entries
    ]


def _sealed_pdf(template: str, context: dict, organisation: Organisation) -> bytes:
    issuer = organisation_lines(organisation)
    html = render_to_string(template, {**context, "issuer": issuer})
    return pdf_seal(html_to_pdfa(html), signatory=organisation.name).pdf


@transaction.atomic
def elimination_list_propose(*, organisation: Organisation, actor: User | None = None) -> EliminationList | None:
    """Draw up the elimination list of `organisation`: every dossier whose retention ended and that
    may be destroyed (ELIMINABLE, never under litigation hold), up to LIST_LIMIT; each moves to
    LISTED. The list is a sealed PDF. None when there is nothing to list."""
    retentions = list(_eliminable(organisation)[:LIST_LIMIT])
    if not retentions:
        return None
    now = timezone.now()
    number = f"BE-{now:%Y}-{sequence_next(f'elimination-list-{now:%Y}'):05d}"
    elimination_list = EliminationList.objects.create(number=number, organisation=organisation, created_by=actor)
    accepted = {
        transfer.dossier_id: transfer
        for transfer in ArchiveTransfer.objects.filter(
            dossier__in=[retention.dossier_id for retention in retentions], status=TransferStatus.ACCEPTED
        )
    }
    entries = []
    for retention in retentions:
        transfer = accepted.get(retention.dossier_id)
        if retention.state == ArchivalState.TRANSFERRED:
            reason = "Versé aux archives, accusé de versement reçu"
            reference = ", ".join(sorted(map(str, (transfer.unit_ids or {}).values()))) if transfer else ""
            reference = reference or (transfer.operation_id if transfer else "")
        else:
            reason = "Durée d’utilité administrative échue, sort final : destruction"
            reference = ""
        entries.append(
            EliminationEntry(
                elimination_list=elimination_list,
                dossier_id=retention.dossier_id,
                reason=reason,
                archive_reference=reference[:200],
                previous_state=retention.state,
            )
        )
        retention_move(retention=retention, to=ArchivalState.LISTED)
    EliminationEntry.objects.bulk_create(entries)
    pdf = _sealed_pdf(
        "archives/pdf/elimination_list.html",
        {"list": elimination_list, "rows": _entries_rows(elimination_list), "now": now},
        organisation,
    )
    elimination_list.list_pdf.save(f"eliminations/{number}.pdf", ContentFile(pdf), save=True)
    audit_record(
        actor=actor,
        action=AuditAction.ELIMINATION_LIST_CREATE,
        target=elimination_list,
        details={"number": number, "dossiers": len(entries), "sha256": hashlib.sha256(pdf).hexdigest()},
    )
    return elimination_list


def elimination_lists_propose_due() -> list[EliminationList]:
    """The daily round's part: a list for every organisation that has dossiers to eliminate and no
    list already awaiting its visa (one list at a time keeps the archivist's work readable)."""
    awaiting = EliminationList.objects.filter(status=EliminationStatus.AWAITING).values("organisation")
    organisations = Organisation.objects.filter(
        pk__in=DossierRetention.objects.filter(
            state__in=ELIMINABLE, litigation_hold=False, dossier__state__in=DossierState.finished()
        )
        .exclude(dossier__procedure__organisation__in=awaiting)
        .values("dossier__procedure__organisation")
    ).order_by("pk")
    return [
        created for organisation in organisations if (created := elimination_list_propose(organisation=organisation))
    ]


def _awaiting_locked(elimination_list: EliminationList, actor: User) -> EliminationList:
    archivist_check(actor, elimination_list.organisation)
    locked = EliminationList.objects.select_for_update().select_related("organisation").get(pk=elimination_list.pk)
    if locked.status != EliminationStatus.AWAITING:
        raise EliminationRefused(f"Ce bordereau a déjà reçu une réponse ({locked.get_status_display().lower()}).")
    return locked


def _visa(locked: EliminationList, *, approved: bool) -> bytes:
    return _sealed_pdf(
        "archives/pdf/elimination_visa.html",
        {"list": locked, "approved": approved, "count": locked.entries.count(), "now": locked.decided_at},
        locked.organisation,
    )


@transaction.atomic
def elimination_list_approve(*, elimination_list: EliminationList, actor: User, comment: str = "") -> EliminationList:
    """The archives service's visa: the list is approved, its sealed visa stored, and the purge of
    its dossiers handed to the worker (and resumed by the daily round of archives_review)."""
    locked = _awaiting_locked(elimination_list, actor)
    locked.status = EliminationStatus.APPROVED
    locked.decided_by, locked.decided_at, locked.decision_comment = actor, timezone.now(), comment.strip()
    pdf = _visa(locked, approved=True)
    locked.visa_pdf.save(f"eliminations/{locked.number}-visa.pdf", ContentFile(pdf), save=False)
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.ELIMINATION_LIST_APPROVE,
        target=locked,
        details={"number": locked.number, "sha256": hashlib.sha256(pdf).hexdigest()},
    )
    list_id = locked.pk
    task_enqueue_after_commit(elimination_run_task, list_id)
    return locked


@transaction.atomic
def elimination_list_refuse(*, elimination_list: EliminationList, actor: User, comment: str) -> EliminationList:
    """The visa refused (with the archives service's reasons): every dossier goes back where it
    was, whole; a later list may carry them again."""
    if not comment.strip():
        raise EliminationRefused("Indiquez le motif du refus : il sera joint au visa.")
    locked = _awaiting_locked(elimination_list, actor)
    locked.status = EliminationStatus.REFUSED
    locked.decided_by, locked.decided_at, locked.decision_comment = actor, timezone.now(), comment.strip()
    entries = {entry.dossier_id: entry for entry in locked.entries.all()}
    for retention in DossierRetention.objects.select_for_update().filter(dossier__in=entries.keys()):
        if retention.state == ArchivalState.LISTED:
            retention_move(retention=retention, to=ArchivalState(entries[retention.dossier_id].previous_state))
    pdf = _visa(locked, approved=False)
    locked.visa_pdf.save(f"eliminations/{locked.number}-refus.pdf", ContentFile(pdf), save=False)
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.ELIMINATION_LIST_REFUSE,
        target=locked,
        details={"number": locked.number, "sha256": hashlib.sha256(pdf).hexdigest()},
    )
    return locked


def _entries_left(elimination_list: EliminationList) -> QuerySet[EliminationEntry]:
    return (
        elimination_list.entries.filter(kept_for_litigation=False, dossier__state__in=DossierState.finished())
        .filter(~Q(dossier__retention__state=ArchivalState.ELIMINATED))
        .select_related("elimination_list")
        .order_by("pk")
    )


def elimination_run(*, elimination_list: EliminationList, batch: int = PURGE_BATCH) -> int:
    """Purge the dossiers of an approved list, `batch` at a time; each dossier is eliminated whole
    in its own transaction, so that a crash loses nothing and the next run starts where this one
    stopped. The list is done when none is left. Returns how many dossiers were eliminated."""
    if elimination_list.status not in (EliminationStatus.APPROVED, EliminationStatus.DONE):
        raise EliminationRefused("Rien n’est éliminé sans un bordereau visé.")
    actor = elimination_list.decided_by
    eliminated = 0
    while True:
        entries = list(_entries_left(elimination_list)[:batch])
        for entry in entries:
            if dossier_eliminate(entry=entry, actor=actor) is not None:
                eliminated += 1
        if len(entries) < batch:
            break
    with transaction.atomic():
        locked = EliminationList.objects.select_for_update().get(pk=elimination_list.pk)
        if locked.status == EliminationStatus.APPROVED and not _entries_left(locked).exists():
            locked.status, locked.done_at = EliminationStatus.DONE, timezone.now()
            locked.save(update_fields=["status", "done_at", "updated_at"])
    return eliminated


def eliminations_resume() -> int:
    """Finish every approved list whose purge stopped (a worker killed, a lost task)."""
    return sum(
        elimination_run(elimination_list=elimination_list)
        for elimination_list in EliminationList.objects.filter(status=EliminationStatus.APPROVED).select_related(
            "decided_by"
        )
    )


@task()
def elimination_run_task(list_id: int) -> int:
    """The purge of an approved list, by the worker (idempotent: run twice, it eliminates nothing more)."""
    return elimination_run(elimination_list=EliminationList.objects.select_related("decided_by").get(pk=list_id))
