"""Processing deadlines and implicit decisions ("le silence vaut accord / rejet"), under a frozen
clock: Django's `timezone.now`, which the workflow, the audit trail and the task backend all read."""

import importlib
import io
import os
import signal
import threading
from datetime import UTC, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection

from guichet.core.models import AuditEvent
from guichet.dossiers.deadlines import deadline_status, dossiers_due_soon, dossiers_overdue
from guichet.dossiers.models import (
    CorrectionRequest,
    Dossier,
    DossierSnapshot,
    DossierState,
    TransitionLog,
    TransitionName,
)
from guichet.dossiers.services import dossier_corrections_submit, dossier_open_correction
from guichet.dossiers.workflow import dossier_transition
from guichet.instruction import silence
from guichet.instruction.silence import dossiers_silence_decide
from guichet.instruction.tasks import dossiers_silence_decide_task
from guichet.procedures.models import Procedure
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
ACCEPTANCE_MENTION = (
    "Décision implicite d’acceptation : en l’absence de réponse de l’administration dans le délai de 10 jours, "
    "le silence gardé vaut acceptation (article L. 231-1 du code des relations entre le public et "
    "l’administration)."
)
REFUSAL_MENTION = (
    "Décision implicite de rejet : en l’absence de réponse de l’administration dans le délai de 10 jours, "
    "le silence gardé vaut décision de rejet (article L. 231-4 du code des relations entre le public et "
    "l’administration)."
)


def paris(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=PARIS)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def set(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)


@pytest.fixture
def clock():
    """Django's clock, frozen on Wednesday 3 March 2027 at 10:00 in Paris; tests move it."""
    frozen = Clock(paris(3))
    with mock.patch("django.utils.timezone.now", frozen):
        yield frozen


def procedure_with(silence_rule: str = "none", correction_clock: str = "suspend", days: int = 10) -> Procedure:
    return ProcedureFactory(processing_days=days, silence_rule=silence_rule, correction_clock=correction_clock)


def run_the_task() -> dict[str, list[int]]:
    """The scheduled task, as the worker runs it (the test settings' backend runs it at once)."""
    result = dossiers_silence_decide_task.enqueue()
    assert result.status == "SUCCESSFUL", result.errors
    return result.return_value


# The deadline ------------------------------------------------------------------------------------


def test_the_deadline_counts_calendar_days_from_the_day_after_filing_and_ends_at_midnight(clock):
    procedure = procedure_with(days=10)
    dossier = DossierFactory(procedure=procedure, submitted=True)  # Wednesday 3 March, 10:00
    # Week-ends count; the 3rd does not: the last day is Saturday 13 March, the end its midnight.
    assert dossier.due_at == paris(14, hour=0)
    assert Dossier.objects.get(pk=dossier.pk).due_at == paris(14, hour=0)

    clock.set(paris(20, hour=23, minute=59))  # the clocks go forward on 28 March
    later = DossierFactory(procedure=procedure, submitted=True)
    assert later.due_at == datetime(2027, 3, 31, 0, 0, tzinfo=PARIS)
    assert later.due_at.astimezone(PARIS).hour == 0

    without = DossierFactory(procedure=ProcedureFactory(processing_days=None), submitted=True)
    assert without.due_at is None and deadline_status(without) is None


def test_lists_flag_the_dossiers_near_or_past_their_deadline(clock):
    procedure = procedure_with(days=10)
    first = DossierFactory(procedure=procedure, in_instruction=True)  # last day: 13 March
    clock.set(paris(5))
    second = DossierFactory(procedure=procedure, submitted=True)  # last day: 15 March
    clock.set(paris(8))
    third = DossierFactory(procedure=procedure, in_instruction=True)  # last day: 18 March
    decided = DossierFactory(procedure=procedure, accepted=True)
    withdrawn = DossierFactory(procedure=procedure, withdrawn=True)
    assert decided.due_at is None and withdrawn.due_at is None
    everything = Dossier.objects.filter(procedure=procedure)

    clock.set(paris(12, hour=9))
    assert list(dossiers_due_soon(everything, 3)) == [first, second]
    assert list(dossiers_due_soon(everything, 7)) == [first, second, third]
    assert not dossiers_overdue(everything, clock.now).exists()
    assert [deadline_status(d).label for d in (first, second, third)] == [
        "à échéance demain",
        "à échéance dans 3 jours",
        "à échéance dans 6 jours",
    ]

    clock.set(paris(13, hour=23, minute=59))
    assert deadline_status(first).label == "à échéance aujourd’hui"
    assert deadline_status(first).last_day.isoformat() == "2027-03-13"
    clock.set(paris(14, hour=0))
    assert list(dossiers_overdue(everything, clock.now)) == [first]
    status = deadline_status(first)
    assert (status.overdue, status.label, status.days_left) == (True, "dépassé", -1)
    assert list(dossiers_due_soon(everything, 1)) == [second]
    assert deadline_status(decided) is None


def test_a_correction_request_suspends_the_clock_until_the_corrections_come_in(clock):
    dossier = DossierFactory(procedure=procedure_with(correction_clock="suspend"), in_instruction=True)
    assert dossier.due_at == paris(14, hour=0)
    instructor = instructor_of(dossier.procedure)

    clock.set(paris(6))
    dossier_transition(
        dossier=dossier, name=TransitionName.REQUEST_CORRECTION, actor=instructor, motivation="Photo illisible."
    )
    assert Dossier.objects.get(pk=dossier.pk).due_at is None
    assert CorrectionRequest.objects.get(dossier=dossier).due_at_when_requested == paris(14, hour=0)
    clock.set(paris(15))  # past the deadline it had, but its clock is stopped
    assert not dossiers_overdue(Dossier.objects.all(), clock.now).exists()

    clock.set(paris(16))  # 10 days after the request: they do not count
    dossier_corrections_submit(actor=dossier.applicant, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.due_at == paris(24, hour=0)
    assert deadline_status(dossier).label == "à échéance dans 7 jours"
    event = AuditEvent.objects.filter(action="dossier.corrections_submit").get()
    assert event.details["due_at"] == "2027-03-24T00:00:00+01:00"


def test_a_correction_request_restarts_the_clock_when_the_procedure_says_so(clock):
    dossier = DossierFactory(procedure=procedure_with(correction_clock="restart"), in_instruction=True)
    instructor = instructor_of(dossier.procedure)
    clock.set(paris(6))
    dossier_transition(dossier=dossier, name=TransitionName.REQUEST_CORRECTION, actor=instructor, motivation="Pièce.")

    clock.set(paris(11))
    dossier_corrections_submit(actor=dossier.applicant, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.due_at == paris(22, hour=0)  # 10 full days again from the 11th


def test_a_dossier_taken_back_without_its_corrections_gets_its_clock_back(clock):
    dossier = DossierFactory(procedure=procedure_with(correction_clock="restart"), in_instruction=True)
    instructor = instructor_of(dossier.procedure)
    clock.set(paris(6))
    dossier_transition(dossier=dossier, name=TransitionName.REQUEST_CORRECTION, actor=instructor, motivation="Pièce.")

    clock.set(paris(8))  # nothing new came in: the 2 days waited do not count, nothing restarts
    dossier_transition(dossier=dossier, name=TransitionName.START_INSTRUCTION, actor=instructor)
    assert Dossier.objects.get(pk=dossier.pk).due_at == paris(16, hour=0)
    # The request is dropped: nothing is left for the applicant to correct, and a new one can be made.
    assert dossier_open_correction(dossier) is None
    dossier_corrections_submit(actor=dossier.applicant, dossier=dossier)  # a late resubmission: nothing to do
    assert not dossier.snapshots.filter(kind=DossierSnapshot.Kind.CORRECTION).exists()
    dossier_transition(dossier=dossier, name=TransitionName.REQUEST_CORRECTION, actor=instructor, motivation="Autre.")
    assert dossier_open_correction(dossier).reason == "Autre."
    assert CorrectionRequest.objects.filter(dossier=dossier).count() == 2


# Implicit decisions ------------------------------------------------------------------------------


def test_silence_means_acceptance_through_the_scheduled_task(clock):
    procedure = procedure_with(silence_rule="acceptance")
    never_opened = DossierFactory(procedure=procedure, submitted=True)
    in_instruction = DossierFactory(procedure=procedure, in_instruction=True)

    clock.set(paris(13, hour=23, minute=59))  # the last day is not over
    assert run_the_task() == {"decided": [], "skipped": [], "failed": []}
    assert Dossier.objects.get(pk=never_opened.pk).state == DossierState.SUBMITTED

    clock.set(paris(14, hour=0, minute=5))
    report = run_the_task()

    assert report == {"decided": [never_opened.pk, in_instruction.pk], "skipped": [], "failed": []}
    for dossier, from_state in ((never_opened, "submitted"), (in_instruction, "in_instruction")):
        dossier.refresh_from_db()
        assert dossier.state == DossierState.ACCEPTED
        assert (dossier.decided_at, dossier.due_at) == (clock.now, None)
        log = dossier.transitions.order_by("-at", "-pk").first()
        assert (log.transition, log.from_state, log.to_state) == ("accept", from_state, "accepted")
        assert (log.actor, log.actor_role) == (None, TransitionLog.ActorRole.SYSTEM)
        assert log.get_actor_role_display() == "Automatique"
        assert log.motivation == ACCEPTANCE_MENTION
        event = AuditEvent.objects.get(action="dossier.accept", object_id=str(dossier.pk))
        assert event.actor is None
        assert (event.details["role"], event.details["from"], event.details["to"]) == (
            "system",
            from_state,
            "accepted",
        )
    # The platform decided without pretending that someone instructed the dossier.
    assert not never_opened.transitions.filter(transition=TransitionName.START_INSTRUCTION).exists()

    # Idempotent: a second run finds nothing to decide and logs nothing.
    logs, events = TransitionLog.objects.count(), AuditEvent.objects.count()
    assert run_the_task() == {"decided": [], "skipped": [], "failed": []}
    assert (TransitionLog.objects.count(), AuditEvent.objects.count()) == (logs, events)


def test_silence_means_refusal_when_the_procedure_says_so(clock):
    dossier = DossierFactory(procedure=procedure_with(silence_rule="refusal"), in_instruction=True)
    clock.set(paris(14, hour=6))

    assert run_the_task()["decided"] == [dossier.pk]

    dossier.refresh_from_db()
    assert dossier.state == DossierState.REFUSED
    log = dossier.transitions.get(transition=TransitionName.REFUSE)
    assert (log.actor_role, log.motivation) == (TransitionLog.ActorRole.SYSTEM, REFUSAL_MENTION)
    assert AuditEvent.objects.filter(action="dossier.refuse", object_id=str(dossier.pk), actor=None).exists()


def test_a_dossier_waiting_for_corrections_is_not_decided(clock):
    dossier = DossierFactory(procedure=procedure_with(silence_rule="acceptance"), in_instruction=True)
    instructor = instructor_of(dossier.procedure)
    clock.set(paris(12))
    dossier_transition(dossier=dossier, name=TransitionName.REQUEST_CORRECTION, actor=instructor, motivation="Plan.")

    clock.set(paris(20))
    assert run_the_task()["decided"] == []
    # Even with a deadline in the past (data from before deadlines were kept), the open request wins.
    Dossier.objects.filter(pk=dossier.pk).update(due_at=paris(14, hour=0))
    assert run_the_task()["decided"] == []
    assert dossiers_silence_decide(now=clock.now).decided == []
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED

    # Stopped on the 12th with the 12th and the 13th left; corrected on the 20th: the 20th and the 21st.
    Dossier.objects.filter(pk=dossier.pk).update(due_at=None)
    dossier_corrections_submit(actor=dossier.applicant, dossier=dossier)
    clock.set(paris(21, hour=23, minute=59))
    assert run_the_task()["decided"] == []
    clock.set(paris(22, hour=0))
    assert run_the_task()["decided"] == [dossier.pk]


def test_a_dossier_decided_or_sent_back_by_an_instructor_just_before_is_skipped(clock):
    procedure = procedure_with(silence_rule="acceptance")
    refused, sent_back, other = (DossierFactory(procedure=procedure, in_instruction=True) for _ in range(3))
    instructor = instructor_of(procedure)
    clock.set(paris(14, hour=0, minute=1))
    decide = silence._dossier_silence_decide

    def instructor_first(*, pk, now):
        # The list of due dossiers is read; the instructor acts before the platform locks the row.
        if pk == refused.pk:
            dossier_transition(
                dossier=refused, name=TransitionName.REFUSE, actor=instructor, motivation="Non conforme."
            )
        if pk == sent_back.pk:
            dossier_transition(
                dossier=sent_back, name=TransitionName.REQUEST_CORRECTION, actor=instructor, motivation="Plan manquant."
            )
        return decide(pk=pk, now=now)

    with mock.patch.object(silence, "_dossier_silence_decide", instructor_first):
        report = run_the_task()

    assert report == {"decided": [other.pk], "skipped": [refused.pk, sent_back.pk], "failed": []}
    refused.refresh_from_db()
    sent_back.refresh_from_db()
    assert (refused.state, sent_back.state) == (DossierState.REFUSED, DossierState.SUBMITTED)
    assert refused.transitions.get(transition=TransitionName.REFUSE).actor == instructor
    assert not TransitionLog.objects.filter(
        dossier__in=[refused, sent_back], actor_role=TransitionLog.ActorRole.SYSTEM
    ).exists()


def test_one_dossier_that_fails_does_not_stop_the_others_and_is_tried_again(clock):
    procedure = procedure_with(silence_rule="acceptance")
    broken, fine = (
        DossierFactory(procedure=procedure, submitted=True),
        DossierFactory(procedure=procedure, submitted=True),
    )
    clock.set(paris(15))
    transition = silence.dossier_transition

    def failing_once(*, dossier, **kwargs):
        if dossier.pk == broken.pk:
            raise RuntimeError("panne")
        return transition(dossier=dossier, **kwargs)

    with (
        mock.patch.object(silence, "dossier_transition", failing_once),
        mock.patch.object(silence.logger, "exception"),
    ):
        assert run_the_task() == {"decided": [fine.pk], "skipped": [], "failed": [broken.pk]}
        with pytest.raises(CommandError, match="1 dossier"):
            call_command("deadlines_apply", stdout=io.StringIO())
    assert Dossier.objects.get(pk=broken.pk).state == DossierState.SUBMITTED
    assert run_the_task()["decided"] == [broken.pk]


def test_small_batches_reach_every_due_dossier(clock):
    procedure = procedure_with(silence_rule="refusal")
    dossiers = [DossierFactory(procedure=procedure, submitted=True) for _ in range(5)]
    clock.set(paris(15))
    report = dossiers_silence_decide(now=clock.now, batch_size=2)
    assert report.decided == [d.pk for d in dossiers]
    assert set(Dossier.objects.filter(procedure=procedure).values_list("state", flat=True)) == {"refused"}


def test_procedures_without_implicit_decision_are_untouched(clock):
    dossier = DossierFactory(procedure=procedure_with(silence_rule="none"), in_instruction=True)
    clock.set(paris(30))
    assert run_the_task()["decided"] == []
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_INSTRUCTION
    assert list(dossiers_overdue(Dossier.objects.all(), clock.now)) == [dossier]  # flagged, not decided


def test_a_reopened_dossier_is_not_decided_again(clock):
    dossier = DossierFactory(procedure=procedure_with(silence_rule="acceptance"), submitted=True)
    clock.set(paris(15))
    assert run_the_task()["decided"] == [dossier.pk]
    dossier_transition(
        dossier=dossier,
        name=TransitionName.REOPEN,
        actor=instructor_of(dossier.procedure),
        motivation="Recours gracieux d’un voisin.",
    )
    assert Dossier.objects.get(pk=dossier.pk).due_at is None
    clock.set(paris(30))
    assert run_the_task()["decided"] == []
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.IN_INSTRUCTION


def test_the_command_for_timers_decides_and_says_so(clock):
    dossier = DossierFactory(procedure=procedure_with(silence_rule="acceptance"), submitted=True)
    clock.set(paris(15))
    out = io.StringIO()
    call_command("deadlines_apply", stdout=out)
    assert "Décisions implicites : 1 prise(s), 0 ignorée(s)" in out.getvalue()
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.ACCEPTED
    quiet = io.StringIO()
    call_command("deadlines_apply", stdout=quiet)  # nothing to do: nothing to say (cron mails output)
    assert quiet.getvalue() == ""


def test_the_loop_that_serve_runs_outlives_a_failed_round(clock):
    dossier = DossierFactory(procedure=procedure_with(silence_rule="acceptance"), submitted=True)
    clock.set(paris(15))
    rounds = iter([RuntimeError("base verrouillée"), None])

    def flaky(*, now):
        error = next(rounds)
        if error:
            raise error
        return dossiers_silence_decide(now=now)

    sleeps = []

    def pause(stop, seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # stops the loop, as serve does
        assert stop.is_set() == (len(sleeps) == 2)

    module = "guichet.instruction.management.commands.deadlines_apply"
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch(f"{module}.dossiers_silence_decide", flaky),
        mock.patch("guichet.core.management.loop._pause", pause),
        # It lets go of a broken connection between rounds; the test's transaction must stay open.
        mock.patch("guichet.core.management.loop.close_old_connections"),
    ):
        call_command("deadlines_apply", "--every", "60", stdout=out, stderr=err)
    assert sleeps == [60, 60]
    assert "base verrouillée" in err.getvalue()
    assert "1 prise(s)" in out.getvalue()
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.ACCEPTED


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_decide_each_dossier_once(clock):
    procedure = procedure_with(silence_rule="acceptance")
    dossiers = [DossierFactory(procedure=procedure, submitted=True) for _ in range(4)]
    clock.set(paris(15))
    reports, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait(timeout=10)
            reports.append(dossiers_silence_decide(now=clock.now))
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()

    assert errors == [] and len(reports) == 2
    decided = reports[0].decided + reports[1].decided
    assert sorted(decided) == [d.pk for d in dossiers]
    assert reports[0].failed == reports[1].failed == []
    for dossier in dossiers:
        assert dossier.transitions.filter(transition=TransitionName.ACCEPT).count() == 1


def test_the_migration_gives_dossiers_filed_before_it_the_deadline_the_workflow_would_have(clock):
    backfill = importlib.import_module("guichet.dossiers.migrations.0007_dossier_due_at").due_at_backfill
    procedure = procedure_with(silence_rule="acceptance")
    instructor = instructor_of(procedure)
    plain, corrected, waiting, reopened = (DossierFactory(procedure=procedure, in_instruction=True) for _ in range(4))
    clock.set(paris(6))
    for dossier in (corrected, waiting):
        dossier_transition(dossier=dossier, name=TransitionName.REQUEST_CORRECTION, actor=instructor, motivation="x")
    clock.set(paris(11))
    dossier_corrections_submit(actor=corrected.applicant, dossier=corrected)
    for name in (TransitionName.ACCEPT, TransitionName.REOPEN):
        dossier_transition(dossier=reopened, name=name, actor=instructor, motivation="Recours.")
    expected = dict(Dossier.objects.filter(procedure=procedure).values_list("pk", "due_at"))
    assert expected == {
        plain.pk: paris(14, hour=0),
        corrected.pk: paris(19, hour=0),
        waiting.pk: None,
        reopened.pk: None,
    }

    Dossier.objects.update(due_at=None)
    CorrectionRequest.objects.update(due_at_when_requested=None)
    backfill(django_apps, None)

    assert dict(Dossier.objects.filter(procedure=procedure).values_list("pk", "due_at")) == expected
    assert CorrectionRequest.objects.get(dossier=waiting, resolved_at=None).due_at_when_requested == paris(14, hour=0)


def test_the_applicant_is_told_of_an_implicit_decision_with_its_legal_mention(
    clock, django_capture_on_commit_callbacks
):
    from django.core import mail

    dossier = DossierFactory(procedure=procedure_with(silence_rule="acceptance"), in_instruction=True)
    clock.set(paris(14, hour=0, minute=5))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_the_task()
    (message,) = mail.outbox
    assert message.to == [dossier.applicant.email]
    assert "Votre demande est acceptée" in message.body and "L. 231-1" in message.body
