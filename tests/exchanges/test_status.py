"""Statuses sent back to HubEE as a received dossier moves: each transition told once, as the
documented case status that says it, retried when HubEE cannot take it, never sent twice."""

from datetime import timedelta

from django.utils import timezone

from guichet.dossiers.models import TransitionName
from guichet.exchanges.models import ReceivedCase, StatusSent
from guichet.exchanges.receiving import hubee_poll
from guichet.instruction.followup.chain import followup_run
from guichet.instruction.models import FollowUpStep
from guichet.instruction.services import dossier_decide
from tests.connectors.hubee.stand_in import NORMAL, SLOW, UNAVAILABLE
from tests.exchanges.conftest import deposit
from tests.factories import DossierFactory, instructor_of


def _received(setup, capture):
    case = deposit(setup)
    with capture(execute=True):
        hubee_poll()
    return case, ReceivedCase.objects.get(case_id=case["id"]).dossier


def _decide(capture, instructor, dossier, name, motivation=""):
    with capture(execute=True):
        return dossier_decide(actor=instructor, dossier=dossier, name=name, motivation=motivation)


def test_each_transition_is_told_to_hubee_with_its_documented_status(town_setup, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    instructor = instructor_of(town_setup["procedure"])
    case, dossier = _received(town_setup, capture)
    _decide(capture, instructor, dossier, TransitionName.START_INSTRUCTION)
    _decide(capture, instructor, dossier, TransitionName.REQUEST_CORRECTION, "Il manque la date exacte.")
    _decide(capture, instructor, dossier, TransitionName.START_INSTRUCTION)
    _decide(capture, instructor, dossier, TransitionName.ACCEPT)
    hub = town_setup["hubee"].hub
    assert hub.statuses_sent(case["id"]) == ["SI_RECEIVED", "IN_PROGRESS", "ADD_AWAITING", "IN_PROGRESS", "DONE"]
    assert hub.cases[case["id"]]["status"] == "DONE"
    updates = [event for event in hub.cases[case["id"]]["events"] if event["actionType"] == "STATUS_UPDATE"]
    asked = updates[2]
    assert "Il manque la date exacte." in asked["message"] and asked["notification"] is True
    # Run again, by the task or the resume loop: nothing more is sent.
    for step in FollowUpStep.objects.filter(transition__dossier=dossier, name=FollowUpStep.Name.EXCHANGES):
        assert step.status == FollowUpStep.Status.DONE
        followup_run(transition_id=step.transition_id)
    assert len(hub.statuses_sent(case["id"])) == 5 == StatusSent.objects.filter(case__dossier=dossier).count()


def test_a_refusal_is_told_refused(town_setup, django_capture_on_commit_callbacks):
    instructor = instructor_of(town_setup["procedure"])
    case, dossier = _received(town_setup, django_capture_on_commit_callbacks)
    _decide(django_capture_on_commit_callbacks, instructor, dossier, TransitionName.START_INSTRUCTION)
    _decide(django_capture_on_commit_callbacks, instructor, dossier, TransitionName.REFUSE, "Acte introuvable.")
    assert town_setup["hubee"].hub.statuses_sent(case["id"])[-1] == "REFUSED"


def test_hubee_down_the_status_is_sent_at_a_later_attempt(town_setup, django_capture_on_commit_callbacks):
    instructor = instructor_of(town_setup["procedure"])
    case, dossier = _received(town_setup, django_capture_on_commit_callbacks)
    town_setup["hubee"].script = [UNAVAILABLE] * 3
    log = _decide(django_capture_on_commit_callbacks, instructor, dossier, TransitionName.START_INSTRUCTION)
    step = FollowUpStep.objects.get(transition=log, name=FollowUpStep.Name.EXCHANGES)
    assert step.status == FollowUpStep.Status.PENDING and "503" in step.last_error
    assert town_setup["hubee"].hub.statuses_sent(case["id"]) == ["SI_RECEIVED"]
    followup_run(transition_id=log.pk, now=timezone.now() + timedelta(minutes=2))
    step.refresh_from_db()
    assert step.status == FollowUpStep.Status.DONE and step.attempts == 2
    assert town_setup["hubee"].hub.statuses_sent(case["id"]) == ["SI_RECEIVED", "IN_PROGRESS"]


def test_a_status_whose_answer_was_lost_is_not_sent_twice(town_setup, django_capture_on_commit_callbacks, settings):
    instructor = instructor_of(town_setup["procedure"])
    case, dossier = _received(town_setup, django_capture_on_commit_callbacks)
    settings.GUICHET_HUBEE_TIMEOUT = 0.3
    town_setup["hubee"].slow_seconds = 0.6
    # The case is read (no such event yet), then HubEE takes the status but answers too late.
    town_setup["hubee"].script = [NORMAL, SLOW]
    log = _decide(django_capture_on_commit_callbacks, instructor, dossier, TransitionName.START_INSTRUCTION)
    step = FollowUpStep.objects.get(transition=log, name=FollowUpStep.Name.EXCHANGES)
    assert step.status == FollowUpStep.Status.PENDING and "peut-être" in step.last_error
    settings.GUICHET_HUBEE_TIMEOUT = 5
    followup_run(transition_id=log.pk, now=timezone.now() + timedelta(minutes=2))
    assert town_setup["hubee"].hub.statuses_sent(case["id"]) == ["SI_RECEIVED", "IN_PROGRESS"]
    assert StatusSent.objects.get(transition=log).status == "IN_PROGRESS"


def test_dossiers_that_hubee_never_carried_send_nothing(town_setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = DossierFactory(
            procedure=town_setup["procedure"], answers={"nom": "A", "prenom": "B", "type_acte": "x"}, accepted=True
        )
    steps = FollowUpStep.objects.filter(transition__dossier=dossier, name=FollowUpStep.Name.EXCHANGES)
    assert steps.count() == 3 and all(step.status == FollowUpStep.Status.DONE and step.outcome == {} for step in steps)
    assert town_setup["hubee"].requests == []
