"""Processing deadlines: when a filed dossier's deadline ends, what a correction request does to it,
and the reads that flag dossiers near or past it.

French administrative deadlines run in calendar days: week-ends and public holidays count. As for
any legal deadline, the day the request is received does not count and the deadline ends with its
last day, at midnight (Paris time). A dossier filed on 3 March under a 10-day deadline may therefore
be decided implicitly from 14 March, 00:00.

The end is stored on the dossier (`Dossier.due_at`) when it changes: at submission, when a
correction is requested (the clock stops: null), when the corrections come in (the clock runs
again) and at the decision (null), so that lists filter and sort on an indexed column."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from guichet.procedures.models import Procedure

from .models import CorrectionRequest, Dossier, DossierState

# The states in which a deadline runs: filed and not yet decided.
RUNNING_STATES = frozenset({DossierState.SUBMITTED, DossierState.IN_INSTRUCTION})


def _day_of(moment: datetime) -> date:
    # Days are Paris days whatever the time zone of the request that asks.
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def deadline_end(start: datetime, days: int) -> datetime:
    """When a deadline of `days` calendar days counted from `start` ends: midnight after its last
    day, the day of `start` itself not counting."""
    return _midnight(_day_of(start) + timedelta(days=days + 1))


def due_at_on_submission(*, procedure: Procedure, submitted_at: datetime) -> datetime | None:
    """The deadline of a dossier just filed; None for a procedure without a processing deadline."""
    if not procedure.processing_days:
        return None
    return deadline_end(submitted_at, procedure.processing_days)


def due_at_suspended(*, request: CorrectionRequest, resumed_at: datetime) -> datetime | None:
    """The deadline once a clock stopped by `request` runs again at `resumed_at`: the days between
    the request and the resumption do not count."""
    if request.due_at_when_requested is None:
        return None
    waited = _day_of(resumed_at) - _day_of(request.created_at)
    return _midnight(_day_of(request.due_at_when_requested) + waited)


def due_at_after_corrections(
    *, procedure: Procedure, request: CorrectionRequest, resubmitted_at: datetime
) -> datetime | None:
    """The deadline once the applicant sent the corrections asked by `request`, as the procedure
    says: suspended (it resumes where it was) or restarted (it runs again in full from now)."""
    if procedure.correction_clock == Procedure.CorrectionClock.RESTART:
        return due_at_on_submission(procedure=procedure, submitted_at=resubmitted_at)
    return due_at_suspended(request=request, resumed_at=resubmitted_at)


def due_at_on_instruction_start(*, dossier: Dossier, now: datetime) -> datetime | None:
    """The deadline of a dossier that an instructor starts to instruct. Unchanged, except when they
    take back a dossier sent for corrections without waiting for them: its clock runs again as after
    a suspension (nothing new came in, so nothing restarts)."""
    if dossier.due_at is not None:
        return dossier.due_at
    request = CorrectionRequest.objects.filter(dossier=dossier, resolved_at__isnull=True).first()
    if request is None:
        return None
    return due_at_suspended(request=request, resumed_at=now)


@dataclass(frozen=True)
class DeadlineStatus:
    """Where a dossier stands against its deadline, for display."""

    last_day: date
    days_left: int  # calendar days from today to the last day; negative once it has passed
    overdue: bool
    label: str  # "dépassé", "à échéance aujourd’hui", "à échéance dans 3 jours"...


def deadline_status(dossier: Dossier, *, now: datetime | None = None) -> DeadlineStatus | None:
    """The dossier's deadline status, or None when no deadline runs on it."""
    if dossier.due_at is None or dossier.state not in RUNNING_STATES:
        return None
    now = now or timezone.now()
    last_day = _day_of(dossier.due_at) - timedelta(days=1)
    days_left = (last_day - _day_of(now)).days
    if now >= dossier.due_at:
        label = "dépassé"
    elif days_left == 0:
        label = "à échéance aujourd’hui"
    elif days_left == 1:
        label = "à échéance demain"
    else:
        label = f"à échéance dans {days_left} jours"
    return DeadlineStatus(last_day=last_day, days_left=days_left, overdue=now >= dossier.due_at, label=label)


def dossiers_overdue(queryset: QuerySet[Dossier], now: datetime) -> QuerySet[Dossier]:
    """The dossiers of `queryset` whose deadline has passed without a decision, oldest first."""
    return queryset.filter(state__in=RUNNING_STATES, due_at__lte=now).order_by("due_at", "pk")


def dossiers_due_soon(
    queryset: QuerySet[Dossier], within_days: int, *, now: datetime | None = None
) -> QuerySet[Dossier]:
    """The dossiers of `queryset` whose deadline has not passed yet and whose last day is at most
    `within_days` days away (0: today), nearest first."""
    now = now or timezone.now()
    return queryset.filter(
        state__in=RUNNING_STATES, due_at__gt=now, due_at__lte=deadline_end(now, within_days)
    ).order_by("due_at", "pk")


def dossiers_silence_due(now: datetime) -> QuerySet[Dossier]:
    """The dossiers on which the administration's silence is now a decision: their procedure says
    silence means acceptance or refusal, their deadline has passed, and they are neither decided
    nor waiting for the applicant's corrections (whose clock is stopped anyway: checked twice)."""
    return (
        dossiers_overdue(Dossier.objects.all(), now)
        .filter(procedure__silence_rule__in=[Procedure.SilenceRule.ACCEPTANCE, Procedure.SilenceRule.REFUSAL])
        .exclude(_waiting_for_corrections())
    )


def _waiting_for_corrections() -> Q:
    # As dossiers.services.dossier_open_correction: a request is pending only while the dossier is
    # back in the applicant's hands (an instructor may take it back into instruction without waiting).
    pending = CorrectionRequest.objects.filter(dossier=OuterRef("pk"), resolved_at__isnull=True)
    return Q(state=DossierState.SUBMITTED) & Q(Exists(pending))


def dossier_waits_for_corrections(dossier: Dossier) -> bool:
    """Whether the dossier is back with its applicant for corrections not yet sent."""
    return (
        dossier.state == DossierState.SUBMITTED
        and CorrectionRequest.objects.filter(dossier=dossier, resolved_at__isnull=True).exists()
    )
