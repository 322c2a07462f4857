"""What follows a transition, as one declared chain of steps.

`followup_steps(name)` shows everything that follows a transition, in order; it reads the workflow's
table (dossiers/workflow.py). The steps are written in the transition's own transaction (the
`transition_applied` hook), so that a crash right after the commit loses nothing; the worker runs
them once the transaction commits (`followup_run`), in order, each once:

- a step is taken by one worker at a time (a conditional update sets its lease), and a step done is
  never run again: a chain run twice, or by two workers at once, sends nothing twice;
- a step that fails is tried again later (its delays below), then given up: the chain goes on (the
  email leaves without the act that could not be made) and the failure stays visible;
- `followups_resume` (every minute in `serve`, and `manage.py followups_resume` in production)
  takes up the steps that are due and whose task was lost, or whose worker died (lease expired).
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from guichet.core.audit import audit_record
from guichet.core.emails import EMAIL_RETRY_DELAYS, retry_at
from guichet.core.models import AuditAction
from guichet.core.prepared_writes import rows_insert
from guichet.core.task_queue import task_enqueue_after_commit
from guichet.documents.services import act_retry_prepare
from guichet.dossiers.models import Dossier, TransitionLog, TransitionName
from guichet.dossiers.workflow import TRANSITIONS, Transition
from guichet.invoicing.fee_invoices import company_fee
from guichet.payments.models import Payment, PaymentMoment, PaymentStatus
from guichet.payments.selectors import fee_due_after_acceptance

from ..models import FollowUpStep
from .steps import INVOICED_AT, STEPS, StepGivenUp, StepWaiting

logger = logging.getLogger(__name__)

Name, Status = FollowUpStep.Name, FollowUpStep.Status

# A worker holds a step this long; past it, `followups_resume` gives the step to another one. Longer
# than the slowest step (an act sealed on a busy node), else a living worker's step is run twice.
LEASE = timedelta(seconds=settings.GUICHET_FOLLOWUP_LEASE_SECONDS)
# `followups_resume` leaves a chain just committed this long to the task enqueued for it.
RESUME_GRACE = timedelta(seconds=settings.GUICHET_FOLLOWUP_RESUME_GRACE_SECONDS)
# After a failure, tried again after these delays (seconds), then given up.
RETRY_DELAYS: dict[str, tuple[int, ...]] = {
    # Acts: after 1 then 5 minutes, then marked failed (an instructor can try again).
    Name.ISSUE_ACT: (60, 300),
    # Emails and notices: as the email task (after 1, 5, 15 minutes, then every hour, 8 tries in all).
    Name.EMAIL_APPLICANT: EMAIL_RETRY_DELAYS,
    Name.NOTIFY_INSTRUCTORS: EMAIL_RETRY_DELAYS,
    Name.SEND_LATE_ACT: EMAIL_RETRY_DELAYS,
    # Writing the webhook messages only touches the database: as the emails.
    Name.WEBHOOKS: EMAIL_RETRY_DELAYS,
    # Its email asking for the payment: as the emails (waiting for the payment is no failure).
    Name.AWAIT_PAYMENT: EMAIL_RETRY_DELAYS,
    # HubEE (a status to tell, a dossier to send): as the emails, over about 8 hours.
    Name.EXCHANGES: EMAIL_RETRY_DELAYS,
    # Invoices: as the emails (a credit note waits for a deposit under way to be answered).
    Name.ISSUE_INVOICE: EMAIL_RETRY_DELAYS,
    Name.CANCEL_INVOICE: EMAIL_RETRY_DELAYS,
}
# A step that waits for someone (the applicant's payment) is looked at again this often at the least;
# the event it waits for wakes it at once (payment_settled).
WAIT_RECHECK = timedelta(hours=6)
# The transitions after which the fee invoiced to a company is no longer owed.
CANCELS_INVOICE = frozenset({TransitionName.REFUSE, TransitionName.WITHDRAW, TransitionName.CLOSE})
# The steps that only tell people (or software): the demo data skips them (`followups_quiet`).
TELLING = frozenset({Name.EMAIL_APPLICANT, Name.NOTIFY_INSTRUCTORS, Name.SEND_LATE_ACT, Name.WEBHOOKS, Name.EXCHANGES})


def followup_steps(
    name: TransitionName, *, fee_after_acceptance: bool = False, company_fee_moment: str | None = None
) -> list[str]:
    """Everything that follows the transition `name`, in order (e.g. ACCEPT: issue the acceptance
    act, tell the webhooks and HubEE, then email it to the applicant). With `fee_after_acceptance` (the
    dossier's procedure charges its fee once accepted), the act is delivered once paid. With
    `company_fee_moment` (its fee is invoiced to a company), the invoice is issued at that moment
    and cancelled when the dossier is refused, withdrawn or closed (last: no email waits for it)."""
    transition: Transition = TRANSITIONS[name]
    steps = []
    if transition.act is not None:
        steps.append(Name.ISSUE_ACT)
    # Every transition is told to the webhooks, once its act is issued (act.issued goes with it),
    # before the emails: a mail server that fails does not hold the organisations' software back.
    steps.append(Name.WEBHOOKS)
    # Then HubEE: the status of a dossier received from it, or the dossier just filed sent on, with
    # its receipt (guichet/exchanges/followup.py; nothing for the other dossiers).
    steps.append(Name.EXCHANGES)
    if fee_after_acceptance and name == TransitionName.ACCEPT:
        steps.append(Name.AWAIT_PAYMENT)
    if transition.applicant_email is not None:
        steps.append(Name.EMAIL_APPLICANT)
    if transition.instructors_notice is not None:
        steps.append(Name.NOTIFY_INSTRUCTORS)
    if company_fee_moment is not None:
        if INVOICED_AT.get(name) == company_fee_moment:
            steps.append(Name.ISSUE_INVOICE)
        if name in CANCELS_INVOICE:
            steps.append(Name.CANCEL_INVOICE)
    return steps


_quiet: ContextVar[bool] = ContextVar("followups_quiet", default=False)


@contextmanager
def followups_quiet() -> Iterator[None]:
    """Within the block, the chains started tell nobody (their emails and notices are skipped,
    recorded as such): for the demo data, filed "in the past". Their acts are still issued."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def followup_start(*, dossier: Dossier, log: TransitionLog, transition: Transition) -> None:
    """Listener of the workflow's `transition_applied`: write the transition's steps in its
    transaction, and have the worker run them once it commits."""
    fee = company_fee(dossier)
    names = followup_steps(
        transition.name,
        fee_after_acceptance=fee_due_after_acceptance(dossier),
        company_fee_moment=fee.moment if fee is not None else None,
    )
    if not names:
        return
    quiet = _quiet.get()
    steps = rows_insert(
        FollowUpStep(
            transition=log,
            name=name,
            position=position,
            run_after=log.at,
            status=Status.SKIPPED if quiet and name in TELLING else Status.PENDING,
            outcome={"skipped": "données de démonstration"} if quiet and name in TELLING else {},
        )
        for position, name in enumerate(names)
    )
    if any(step.status == Status.PENDING for step in steps):
        task_enqueue_after_commit(followup_run_task, transition_id=log.pk)


def _moved_on(now: datetime | None, since: datetime) -> datetime:
    """`now`, moved on by the real time elapsed since `since` (the real time without `now`)."""
    real = timezone.now()
    return real if now is None else now + (real - since)


def _claim(step: FollowUpStep, now: datetime) -> bool:
    """Take the step for this worker: only one worker gets it, until its lease ends."""
    free = Q(status=Status.PENDING, run_after__lte=now) | Q(status=Status.RUNNING, claimed_until__lt=now)
    taken = FollowUpStep.objects.filter(free, pk=step.pk).update(status=Status.RUNNING, claimed_until=now + LEASE)
    return taken == 1


@dataclass
class RunReport:
    done: list[str]
    waiting: str | None = None  # the step the chain waits for (retry later, or another worker)


def followup_run(*, transition_id: int, now: datetime | None = None) -> RunReport:
    """Run the transition's steps that are due, in order; stop at the first one that must wait.
    Safe to call any number of times, from any number of workers. `now` (a resume round's, a test's)
    moves on with the real clock while the chain runs: each step's lease starts when it is taken."""
    report = RunReport(done=[])
    started = timezone.now()
    steps = list(FollowUpStep.objects.filter(transition_id=transition_id).order_by("position"))
    log = None  # read once, when a step is to run
    for step in steps:
        if step.status in (Status.DONE, Status.FAILED, Status.SKIPPED):
            continue
        if not _claim(step, _moved_on(now, started)):
            report.waiting = step.name
            return report
        step.refresh_from_db()
        if log is None:
            related = ("dossier__procedure", "dossier__applicant", "actor")
            log = TransitionLog.objects.select_related(*related).get(pk=transition_id)
        outcome = _step_run(step, log)
        if outcome is None:
            report.waiting = step.name
            return report
        report.done.append(step.name)
    return report


def _step_run(step: FollowUpStep, log: TransitionLog) -> dict | None:
    """Run one claimed step and store its outcome; None when it failed and will be tried again."""
    function: Callable[..., dict] = STEPS[step.name]
    attempt = step.attempts + 1
    try:
        outcome = function(log=log, step=step, last_attempt=attempt > len(RETRY_DELAYS[step.name]))
    except StepWaiting as waiting:
        FollowUpStep.objects.filter(pk=step.pk).update(
            status=Status.PENDING,
            run_after=timezone.now() + WAIT_RECHECK,
            claimed_until=None,
            outcome=waiting.outcome,
        )
        return None
    except StepGivenUp as given_up:
        _step_finish(step, status=Status.FAILED, attempts=attempt, outcome=given_up.outcome, error=str(given_up))
        return given_up.outcome
    except Exception as error:
        logger.exception("Suivi du changement d’état %s : étape « %s » en échec", step.transition_id, step.name)
        when = retry_at(attempt, RETRY_DELAYS[step.name])
        message = f"{type(error).__name__} : {error}"[:2000]
        if when is None:
            _step_finish(step, status=Status.FAILED, attempts=attempt, outcome={}, error=message)
            return {}
        FollowUpStep.objects.filter(pk=step.pk).update(
            status=Status.PENDING, attempts=attempt, run_after=when, claimed_until=None, last_error=message
        )
        _run_later(step.transition_id, when)
        return None
    _step_finish(step, status=Status.DONE, attempts=attempt, outcome=outcome)
    return outcome


def _step_finish(step: FollowUpStep, *, status: str, attempts: int, outcome: dict, error: str = "") -> None:
    fields = {"status": status, "attempts": attempts, "outcome": outcome, "done_at": timezone.now()}
    if error:
        fields["last_error"] = error[:2000]
        audit_record(
            actor=None,
            action=AuditAction.FOLLOWUP_GIVE_UP,
            target=step,
            details={"transition": step.transition_id, "step": step.name, "error": error[:500]},
        )
    FollowUpStep.objects.filter(pk=step.pk).update(claimed_until=None, **fields)


def _run_later(transition_id: int, when: datetime) -> None:
    """Enqueue the chain again for `when`, where the tasks backend can wait; else the resume loop
    takes it up once due."""
    if followup_run_task.get_backend().supports_defer:
        followup_run_task.using(run_after=when).enqueue(transition_id=transition_id)


@task()
def followup_run_task(*, transition_id: int) -> dict:
    report = followup_run(transition_id=transition_id)
    return {"done": report.done, "waiting": report.waiting}


def followups_due(*, now: datetime, grace: timedelta = timedelta(0)) -> list[int]:
    """The transitions whose chain has a step due since before `now - grace` (its task lost, or
    never enqueued because the process stopped after the commit), or held by a worker that died."""
    due = Q(status=Status.PENDING, run_after__lte=now - grace) | Q(status=Status.RUNNING, claimed_until__lt=now)
    return sorted(set(FollowUpStep.objects.filter(due).values_list("transition_id", flat=True)))


def followups_resume(*, now: datetime | None = None, grace: timedelta = RESUME_GRACE) -> list[int]:
    """Run again every chain with a step overdue (see followups_due), here and now; returns their
    transitions. The grace leaves a just-committed chain to the task enqueued for it.

    A round runs the chains one after the other: with a backlog it lasts minutes, longer than a
    lease. Each chain is run at the round's `now` moved on by the time elapsed, so that a step taken
    late in the round gets a whole lease from then (from the round's start, it could be over at
    once, and a worker take the same step: two receipts for one dossier, seen in the soak)."""
    started = timezone.now()
    now = now or started
    transitions = followups_due(now=now, grace=grace)
    for transition_id in transitions:
        try:
            followup_run(transition_id=transition_id, now=_moved_on(now, started))
        except Exception:  # one chain's trouble never stops the others
            logger.exception("Reprise du suivi du changement d’état %s impossible", transition_id)
    return transitions


@transaction.atomic
def act_retry(*, actor, act) -> None:
    """An instructor has an act whose generation failed made again: the act is pending again, its
    chain's step is due again, and a last step sends the act alone if the applicant's email left
    without it. Runs once the transaction commits."""
    act = act_retry_prepare(actor=actor, act=act)
    if act.transition_id is None:
        return
    now = timezone.now()
    due_again = {"status": Status.PENDING, "attempts": 0, "run_after": now, "claimed_until": None, "done_at": None}
    # An act made before the chain existed has no step yet: it gets one, first.
    FollowUpStep.objects.update_or_create(
        transition_id=act.transition_id,
        name=Name.ISSUE_ACT,
        defaults=due_again,
        create_defaults={**due_again, "position": 0},
    )
    # The webhooks step runs again after it: it tells act.issued (what it told already, it does not).
    others = FollowUpStep.objects.filter(transition_id=act.transition_id).exclude(name=Name.SEND_LATE_ACT)
    FollowUpStep.objects.filter(transition_id=act.transition_id, name=Name.WEBHOOKS).update(**due_again)
    last = others.order_by("-position").values_list("position", flat=True).first()
    FollowUpStep.objects.update_or_create(
        transition_id=act.transition_id,
        name=Name.SEND_LATE_ACT,
        defaults={**due_again, "position": (last or 0) + 1, "outcome": {}},
    )
    task_enqueue_after_commit(followup_run_task, transition_id=act.transition_id)


@transaction.atomic
def fee_invoice_retry(*, actor, dossier: Dossier) -> int:
    """An instructor has the fee's invoice to the company (or its credit note) tried again, once the
    answers it lacked were corrected: the steps given up are due again. Returns how many."""
    steps = FollowUpStep.objects.select_for_update().filter(
        transition__dossier=dossier, name__in=(Name.ISSUE_INVOICE, Name.CANCEL_INVOICE), status=Status.FAILED
    )
    taken = list(steps.values_list("pk", "transition_id", "name"))
    if not taken:
        return 0
    FollowUpStep.objects.filter(pk__in=[pk for pk, _, _ in taken]).update(
        status=Status.PENDING, attempts=0, run_after=timezone.now(), claimed_until=None, done_at=None, last_error=""
    )
    audit_record(
        actor=actor, action=AuditAction.FOLLOWUP_RETRY, target=dossier, details={"steps": [n for _, _, n in taken]}
    )
    for transition_id in sorted({transition_id for _, transition_id, _ in taken}):
        task_enqueue_after_commit(followup_run_task, transition_id=transition_id)
    return len(taken)


def followup_wake_on_payment(*, payment: Payment) -> None:
    """Listener of payments' `payment_settled`: an act that waited for its fee is delivered now."""
    if payment.status != PaymentStatus.PAID or payment.moment != PaymentMoment.AFTER_ACCEPTANCE:
        return
    waiting = FollowUpStep.objects.filter(
        transition__dossier_id=payment.dossier_id, name=Name.AWAIT_PAYMENT, status=Status.PENDING
    )
    transitions = list(waiting.values_list("transition_id", flat=True))
    waiting.update(run_after=timezone.now())
    for transition_id in transitions:
        task_enqueue_after_commit(followup_run_task, transition_id=transition_id)
