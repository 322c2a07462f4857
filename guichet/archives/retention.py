"""Each finished dossier's retention: its administrative usefulness period (DUA) computed from its
procedure's rules, and the moves of its archival state, as a table of allowed transitions."""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.dossiers.models import Dossier, DossierState, TransitionName
from guichet.dossiers.workflow import Transition, TransitionNotAllowed
from guichet.procedures.models import FinalFate, Procedure, RetentionStart

from .models import ArchivalState, ArchiveTransfer, DossierRetention, TransferStatus

S = ArchivalState

# Which archival state may follow which (anything else is a bug, refused by `retention_move`).
TRANSITIONS: dict[ArchivalState, frozenset[ArchivalState]] = {
    S.ACTIVE: frozenset({S.TO_TRANSFER, S.TO_ELIMINATE}),
    S.TO_TRANSFER: frozenset({S.TRANSFERRING}),
    S.TRANSFERRING: frozenset({S.TRANSFERRED, S.TRANSFER_REFUSED, S.TO_TRANSFER}),
    S.TRANSFER_REFUSED: frozenset({S.TO_TRANSFER}),
    S.TRANSFERRED: frozenset({S.LISTED}),
    S.TO_ELIMINATE: frozenset({S.LISTED}),
    # A refused visa puts the dossier back where it was; an approved one leads to elimination.
    S.LISTED: frozenset({S.TO_ELIMINATE, S.TRANSFERRED, S.ELIMINATED}),
    S.ELIMINATED: frozenset(),
}

# The states in which a dossier may be put on an elimination list.
ELIMINABLE = frozenset({S.TO_ELIMINATE, S.TRANSFERRED})


class RetentionMoveRefused(Exception):
    """A move that the table does not allow."""


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def retention_start(dossier: Dossier, procedure: Procedure) -> date | None:
    """The day the DUA starts for this dossier, by its procedure's rule: the decision (a withdrawn
    dossier's withdrawal) by default, or the filing."""
    moment: datetime | None
    if procedure.retention_start == RetentionStart.SUBMISSION:
        moment = dossier.submitted_at
    else:
        moment = dossier.decided_at or dossier.last_transition_at
    return timezone.localdate(moment) if moment else None


def retention_schedule(*, dossier: Dossier) -> DossierRetention | None:
    """Record (or update, while still running) a finished dossier's retention from its procedure's
    current rules. None for a dossier that is not finished."""
    if dossier.state not in DossierState.finished():
        return None
    procedure = dossier.procedure
    starts_on = retention_start(dossier, procedure)
    if starts_on is None:
        return None
    ends_on = _add_years(starts_on, procedure.retention_years)
    retention, created = DossierRetention.objects.get_or_create(
        dossier=dossier, defaults={"starts_on": starts_on, "ends_on": ends_on, "final_fate": procedure.final_fate}
    )
    if not created and retention.state == S.ACTIVE:
        changed = (retention.starts_on, retention.ends_on, retention.final_fate) != (
            starts_on,
            ends_on,
            procedure.final_fate,
        )
        if changed:
            retention.starts_on, retention.ends_on, retention.final_fate = starts_on, ends_on, procedure.final_fate
            retention.save(update_fields=["starts_on", "ends_on", "final_fate", "updated_at"])
    return retention


def retention_move(*, retention: DossierRetention, to: ArchivalState) -> DossierRetention:
    """Move a dossier's archival state along the table (the caller holds the row, in its transaction)."""
    if to not in TRANSITIONS[ArchivalState(retention.state)]:
        raise RetentionMoveRefused(f"{retention.get_state_display()} → {ArchivalState(to).label} n’est pas permis.")
    retention.state = to
    retention.save(update_fields=["state", "updated_at"])
    return retention


# Where the archives have the dossier, or an archivist is deciding on it: it cannot be reopened (a
# recours is then handled outside the platform, with the archives service).
REOPEN_REFUSED: dict[ArchivalState, str] = {
    S.TRANSFERRED: "il a été versé aux archives, qui en ont accusé réception",
    S.LISTED: "il figure sur un bordereau d’élimination qui attend le visa du service d’archives",
    S.ELIMINATED: "il a été éliminé",
}
# Before its retention ends, or before the archives hold it, a reopened dossier simply loses its
# retention: it is computed again when the dossier is decided again.
RETENTION_FORGOTTEN_ON_REOPEN = frozenset({S.ACTIVE, S.TO_TRANSFER, S.TO_ELIMINATE, S.TRANSFER_REFUSED, S.TRANSFERRING})


def retention_on_transition(*, dossier: Dossier, transition: Transition, actor: object) -> None:
    """Listener of `dossiers.workflow.transition_checked`: nothing happens any more to an eliminated
    dossier, and a decided dossier is reopened only while the archives do not hold it. Reopened, it
    goes back to the start of its archival life: its retention is forgotten and a transfer not yet
    handed over is cancelled. A transfer already handed over (waiting for the archives' reply) keeps
    the dossier closed until the reply comes."""
    if dossier.state == DossierState.DRAFT:
        return  # a draft was never finished: it has no retention (retention_schedule), no query
    retention = DossierRetention.objects.select_for_update().filter(dossier=dossier).first()
    if retention is None:
        return
    refused = f"Impossible de faire « {transition.name.label} » sur ce dossier : "
    if retention.state == S.ELIMINATED:
        raise TransitionNotAllowed(refused + REOPEN_REFUSED[S.ELIMINATED] + ".")
    if transition.name != TransitionName.REOPEN:
        return
    if retention.state in REOPEN_REFUSED:
        raise TransitionNotAllowed(
            refused + REOPEN_REFUSED[ArchivalState(retention.state)] + ". Adressez-vous au service d’archives."
        )
    transfers = ArchiveTransfer.objects.select_for_update().filter(dossier=dossier)
    # Sent, or being handed over right now (its deposit started): the archives may already have it.
    if transfers.filter(
        Q(status=TransferStatus.SENT) | Q(status=TransferStatus.PENDING, sent_at__isnull=False)
    ).exists():
        raise TransitionNotAllowed(
            refused + "il a été transmis au système d’archivage, dont la réponse est attendue. "
            "Réessayez une fois l’accusé de versement reçu."
        )
    if retention.state not in RETENTION_FORGOTTEN_ON_REOPEN:  # a state added without deciding here
        raise TransitionNotAllowed(refused + f"il est « {retention.get_state_display().lower()} ».")
    transfers.filter(status=TransferStatus.PENDING).update(
        status=TransferStatus.CANCELLED, next_attempt_at=None, updated_at=timezone.now()
    )
    # The reopening's own audit event (dossier.reopen) records this move; the cancelled transfers
    # stay, CANCELLED, beside it.
    retention.delete()


def _finished_without_retention() -> QuerySet[Dossier]:
    return Dossier.objects.filter(state__in=DossierState.finished(), retention__isnull=True).select_related("procedure")


def retention_review(*, today: date | None = None, batch: int = 1000) -> dict[str, int]:
    """The daily round: give every finished dossier its retention, forget the retention of a dossier
    reopened while its DUA ran, and move the dossiers whose DUA has ended to what their final fate
    asks (to transfer, or to eliminate). Dossiers under litigation hold stay where they are.
    Returns what was done, by kind."""
    today = today or timezone.localdate()
    counts = {"scheduled": 0, "reopened": 0, "to_transfer": 0, "to_eliminate": 0}
    while True:
        with transaction.atomic():
            dossiers = list(_finished_without_retention()[:batch])
            for dossier in dossiers:
                if retention_schedule(dossier=dossier) is not None:
                    counts["scheduled"] += 1
        if len(dossiers) < batch:
            break
    # (Reopening forgets it already; this catches what was reopened before it did, never a dossier
    # whose transfer is under way.)
    counts["reopened"], _ = (
        DossierRetention.objects.filter(state__in=RETENTION_FORGOTTEN_ON_REOPEN - {S.TRANSFERRING})
        .exclude(dossier__state__in=DossierState.finished())
        .delete()
    )
    due = DossierRetention.objects.filter(state=S.ACTIVE, ends_on__lte=today, litigation_hold=False)
    with transaction.atomic():
        counts["to_eliminate"] = due.filter(final_fate=FinalFate.DESTROY).update(
            state=S.TO_ELIMINATE, updated_at=timezone.now()
        )
        counts["to_transfer"] = due.exclude(final_fate=FinalFate.DESTROY).update(
            state=S.TO_TRANSFER, updated_at=timezone.now()
        )
        if any(counts.values()):
            audit_record(actor=None, action=AuditAction.ARCHIVES_REVIEW, details={"today": today, **counts})
    return counts
