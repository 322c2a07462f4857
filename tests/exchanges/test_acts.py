"""Acts issued after a dossier's HubEE case was made are deposited on that case: the receipt and the
decision of a dossier received from HubEE reach the applicant's online service (Guichet emails them
nothing), the decision on a dossier sent through HubEE reaches the administration it was sent to;
each once, even when HubEE fails in the middle."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guichet.documents.models import Act
from guichet.dossiers.models import TransitionName
from guichet.exchanges.models import ActDeposit, ReceivedCase, SentFolder
from guichet.exchanges.receiving import hubee_poll
from guichet.instruction.followup.chain import followup_run
from guichet.instruction.models import FollowUpStep
from guichet.instruction.services import dossier_decide
from tests.connectors.hubee.stand_in import NORMAL, SLOW, UNAVAILABLE
from tests.exchanges.conftest import deposit
from tests.exchanges.test_sending import _file, sending  # noqa: F401 (the fixture)
from tests.factories import instructor_of

pytestmark = pytest.mark.django_db


def _decide(capture, dossier, *names):
    instructor = instructor_of(dossier.procedure)
    logs = []
    for name in names:
        with capture(execute=True):
            logs.append(dossier_decide(actor=instructor, dossier=dossier, name=name, motivation="Pièce illisible."))
    return logs


def _pdf_of(act: Act) -> bytes:
    with act.pdf.open("rb") as stored:
        return stored.read()


def test_a_received_dossiers_receipt_and_decision_reach_the_applicants_online_service(
    town_setup, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    case = deposit(town_setup)
    with capture(execute=True):
        hubee_poll()
    dossier = ReceivedCase.objects.get(case_id=case["id"]).dossier
    _decide(capture, dossier, TransitionName.START_INSTRUCTION, TransitionName.ACCEPT)

    hub = town_setup["hubee"].hub
    receipt, decision = dossier.acts.get(kind="receipt"), dossier.acts.get(kind="acceptance")
    assert hub.deposited(case["id"]) == [(receipt.file_name, _pdf_of(receipt)), (decision.file_name, _pdf_of(decision))]
    events = hub.cases[case["id"]]["events"]
    kinds = [
        event["actionType"] if event["actionType"] != "STATUS_UPDATE" else event["caseNewStatus"] for event in events
    ]
    # The decision is there before the applicant is told « Terminé ».
    assert kinds == ["ATTACH_DEPOSIT", "SI_RECEIVED", "IN_PROGRESS", "ATTACH_DEPOSIT", "DONE"]
    online_service = [n for n in hub.notifications.values() if n["recipient"]["type"] == "OSL"]
    assert {n["eventId"] for n in online_service} >= {event["id"] for event in events}
    # Run again, by the task or the resume loop: nothing more is deposited.
    for step in FollowUpStep.objects.filter(transition__dossier=dossier, name=FollowUpStep.Name.EXCHANGES):
        followup_run(transition_id=step.transition_id)
    assert len(hub.deposited(case["id"])) == 2 == ActDeposit.objects.exclude(uploaded_at=None).count()


def test_the_decision_on_a_sent_dossier_reaches_its_recipient_once(sending, django_capture_on_commit_callbacks):  # noqa: F811
    capture = django_capture_on_commit_callbacks
    dossier = _file(sending, capture)
    sent = SentFolder.objects.get(dossier=dossier)
    hubee = sending["hubee"]
    _decide(capture, dossier, TransitionName.START_INSTRUCTION)
    hubee.script = [UNAVAILABLE] * 3  # HubEE down when the decision is made: the step is retried
    (log,) = _decide(capture, dossier, TransitionName.REFUSE)
    assert hubee.hub.deposited(sent.case_id) == []
    followup_run(transition_id=log.pk, now=timezone.now() + timedelta(minutes=2))

    refusal = dossier.acts.get(kind="refusal")
    # The receipt went with the folder; only the decision is deposited afterwards, once.
    assert hubee.hub.deposited(sent.case_id) == [(refusal.file_name, _pdf_of(refusal))]
    deposit_event = hubee.hub.cases[sent.case_id]["events"][0]
    assert deposit_event["transmitter"]["companyRegister"] == "21730001200017"  # from Guichet, the OSL
    notified = [n for n in hubee.hub.notifications.values() if n["eventId"] == deposit_event["id"]]
    assert [n["recipient"]["companyRegister"] for n in notified] == ["17750001500012"]


def test_a_deposit_whose_answer_was_lost_is_not_made_twice(town_setup, django_capture_on_commit_callbacks, settings):
    capture = django_capture_on_commit_callbacks
    case = deposit(town_setup)
    with capture(execute=True):
        hubee_poll()
    dossier = ReceivedCase.objects.get(case_id=case["id"]).dossier
    _decide(capture, dossier, TransitionName.START_INSTRUCTION)
    settings.GUICHET_HUBEE_TIMEOUT = 0.3
    hubee = town_setup["hubee"]
    hubee.slow_seconds = 0.6
    # The case is read (no such event yet), then HubEE takes the deposit but answers too late.
    hubee.script = [NORMAL, SLOW]
    (log,) = _decide(capture, dossier, TransitionName.ACCEPT)
    step = FollowUpStep.objects.get(transition=log, name=FollowUpStep.Name.EXCHANGES)
    assert step.status == FollowUpStep.Status.PENDING and "peut-être" in step.last_error
    settings.GUICHET_HUBEE_TIMEOUT = 5
    followup_run(transition_id=log.pk, now=timezone.now() + timedelta(minutes=2))

    decision = dossier.acts.get(kind="acceptance")
    deposited = hubee.hub.deposited(case["id"])
    assert len(deposited) == 2 and deposited[1] == (decision.file_name, _pdf_of(decision))
    assert hubee.hub.statuses_sent(case["id"])[-1] == "DONE"
