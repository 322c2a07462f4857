"""Receiving: a HubEE case becomes a dossier in the subscription's procedure, its answers given by the
mapping, once — a case delivered again makes no second dossier — and a case that the form refuses
is told to HubEE as an integration error."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from guichet.connectors.hubee.connector import HubeeExchange
from guichet.dossiers.models import Dossier, DossierState, Message
from guichet.exchanges.models import ReceivedCase
from guichet.exchanges.receiving import hubee_poll
from guichet.instruction.models import FollowUpStep, InstructorNotification
from tests.connectors.hubee.stand_in import UNAVAILABLE
from tests.exchanges.conftest import PDF, deposit
from tests.factories import instructor_of


def _waiting(setup) -> list[dict]:
    """The notifications waiting for the town hall (those for the sender are not its to delete)."""
    return [n for n in setup["hubee"].hub.notifications.values() if n["recipient"]["type"] == "SI"]


def _poll(capture):
    with capture(execute=True):
        return hubee_poll()


def test_a_case_becomes_a_filed_dossier_with_the_mapped_answers(town_setup, django_capture_on_commit_callbacks):
    instructor = instructor_of(town_setup["procedure"])
    case = deposit(town_setup)
    report = _poll(django_capture_on_commit_callbacks)
    assert report.received == 1 and report.failures == []
    received = ReceivedCase.objects.get(case_id=case["id"])
    dossier = received.dossier
    assert dossier.procedure == town_setup["procedure"] and dossier.state == DossierState.SUBMITTED
    assert dossier.number and dossier.applicant == town_setup["subscription"].applicant_account
    answers = dossier.answers
    assert (answers["nom"], answers["prenom"], answers["courriel"]) == (
        "Martin",
        "Camille",
        "camille.martin@exemple.fr",
    )
    assert (answers["type_acte"], answers["date_evenement"], answers["reference"]) == (
        "naissance",
        "1990-04-12",
        case["externalId"],
    )
    [justificatif] = answers["justificatif"]
    with dossier.files.get(key=justificatif["key"]).content.open("rb") as stored:
        assert stored.read() == PDF
    assert dossier.identity["family_name"] == "Martin" and dossier.identity["given_name"] == "Camille"
    # HubEE hears that it was received; the notification is gone.
    assert town_setup["hubee"].hub.statuses_sent(case["id"]) == ["SI_RECEIVED"]
    assert _waiting(town_setup) == []
    # The instructors are told; the applicant follows it on service-public.fr, not by Guichet's emails.
    assert InstructorNotification.objects.filter(dossier=dossier, user=instructor).exists()
    email = FollowUpStep.objects.get(transition__dossier=dossier, name=FollowUpStep.Name.EMAIL_APPLICANT)
    assert email.status == FollowUpStep.Status.FAILED and "service en ligne" in email.last_error


def test_a_case_delivered_again_makes_no_second_dossier(town_setup, django_capture_on_commit_callbacks):
    case = deposit(town_setup)
    _poll(django_capture_on_commit_callbacks)
    town_setup["hubee"].hub.redeliver(case["id"])
    town_setup["hubee"].hub.redeliver(case["id"])
    report = _poll(django_capture_on_commit_callbacks)
    assert (report.received, report.repeated) == (0, 2)
    assert Dossier.objects.filter(procedure=town_setup["procedure"]).count() == 1
    assert town_setup["hubee"].hub.statuses_sent(case["id"]) == ["SI_RECEIVED"]
    assert _waiting(town_setup) == []
    # The database itself refuses a second row for the same case.
    with pytest.raises(IntegrityError):
        ReceivedCase.objects.create(
            subscription=town_setup["subscription"], case_id=case["id"], outcome=ReceivedCase.Outcome.CREATED
        )


def test_a_case_the_form_refuses_is_told_to_hubee_as_an_integration_error(
    town_setup, django_capture_on_commit_callbacks
):
    case = deposit(town_setup, data=b'{"demande": {"acte": {"date": "1990-04-12"}}}')
    report = _poll(django_capture_on_commit_callbacks)
    assert report.rejected == 1 and report.received == 0
    received = ReceivedCase.objects.get(case_id=case["id"])
    assert received.outcome == ReceivedCase.Outcome.REJECTED and received.dossier is None
    assert "type_acte" in received.error
    assert not Dossier.objects.filter(procedure=town_setup["procedure"]).exists()
    [event] = town_setup["hubee"].hub.cases[case["id"]]["events"]
    assert event["caseNewStatus"] == "SI_INTG_ERROR" and "type_acte" in event["message"]
    # Delivered again: told once, kept once.
    town_setup["hubee"].hub.redeliver(case["id"])
    assert _poll(django_capture_on_commit_callbacks).repeated == 1
    assert town_setup["hubee"].hub.statuses_sent(case["id"]) == ["SI_INTG_ERROR"]


def test_unreadable_data_is_an_integration_error(town_setup, django_capture_on_commit_callbacks):
    case = deposit(town_setup, data=b"<demande><acte>")
    deposit(town_setup, data=b"{pas du json")
    assert _poll(django_capture_on_commit_callbacks).rejected == 2
    assert "ni un JSON ni un XML" in ReceivedCase.objects.get(case_id=case["id"]).error
    assert ReceivedCase.objects.filter(error__contains="ni un JSON ni un XML").count() == 2


def test_xml_data_is_read_by_element_names(town_setup, django_capture_on_commit_callbacks):
    xml = (
        b'<?xml version="1.0"?><demande xmlns="urn:x">'
        b"<acte><type>mariage</type><date>2001-06-30</date></acte></demande>"
    )
    case = deposit(town_setup, data=xml)
    assert _poll(django_capture_on_commit_callbacks).received == 1
    answers = ReceivedCase.objects.get(case_id=case["id"]).dossier.answers
    assert (answers["type_acte"], answers["date_evenement"]) == ("mariage", "2001-06-30")


def test_hubee_down_leaves_the_case_for_the_next_round(town_setup, django_capture_on_commit_callbacks):
    case = deposit(town_setup)
    town_setup["hubee"].script = [UNAVAILABLE] * 3
    report = _poll(django_capture_on_commit_callbacks)
    assert report.received == 0 and "503" in report.failures[0]
    town_setup["subscription"].refresh_from_db()
    assert "503" in town_setup["subscription"].last_error
    assert not ReceivedCase.objects.exists()
    assert _poll(django_capture_on_commit_callbacks).received == 1
    town_setup["subscription"].refresh_from_db()
    assert town_setup["subscription"].last_error == ""
    assert ReceivedCase.objects.get(case_id=case["id"]).dossier is not None


def test_events_on_a_received_case_are_acknowledged(town_setup, django_capture_on_commit_callbacks):
    hub = town_setup["hubee"].hub
    case = deposit(town_setup)
    _poll(django_capture_on_commit_callbacks)
    # The sender adds a message on the case: the town hall takes it into account (RECEIVED).
    event = {"id": "e-1", "actionType": "SENDING_MESSAGE", "status": "SENT", "message": "Complément"}
    hub.cases[case["id"]]["events"].append(event)
    hub._notify(
        recipient=hub.cases[case["id"]]["recipient"], transmitter={}, case=hub.cases[case["id"]], event_id="e-1"
    )
    report = _poll(django_capture_on_commit_callbacks)
    assert report.events == 1 and event["status"] == "RECEIVED" and _waiting(town_setup) == []
    # ... and the message reaches the dossier, from its applicant (tests/exchanges/test_received_events.py).
    dossier = ReceivedCase.objects.get(case_id=case["id"]).dossier
    [message] = Message.objects.filter(dossier=dossier)
    assert report.messages == 1 and "Complément" in message.body
    assert message.author_role == Message.AuthorRole.APPLICANT


def test_a_case_gone_from_hubee_does_not_hold_the_others_back(town_setup, django_capture_on_commit_callbacks):
    hub = town_setup["hubee"].hub
    gone = deposit(town_setup)
    kept = deposit(town_setup, last_name="Petit")
    del hub.cases[gone["id"]]  # HubEE answers 404 for it
    report = _poll(django_capture_on_commit_callbacks)
    assert report.received == 1 and ReceivedCase.objects.get().case_id == kept["id"]
    assert _waiting(town_setup) == []


def test_the_polling_command_says_what_it_did(town_setup, django_capture_on_commit_callbacks):
    deposit(town_setup)
    out, err = io.StringIO(), io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("hubee_poll", stdout=out, stderr=err)
    assert "1 dossier(s) reçu(s)" in out.getvalue() and err.getvalue() == ""
    town_setup["hubee"].script = [UNAVAILABLE] * 3
    call_command("hubee_poll", stdout=out, stderr=err)
    assert "HubEE : relève en échec pour EtatCivil" in err.getvalue()


def test_a_refused_case_rejected_by_another_poller_meanwhile_stops_nothing(
    town_setup, django_capture_on_commit_callbacks, monkeypatch
):
    """Two nodes poll at once: the other one records the rejection while this one tells HubEE; this
    round finds its row instead of failing on the unique case id."""
    case = deposit(town_setup, data=b'{"demande": {"acte": {"date": "1990-04-12"}}}')
    original = HubeeExchange.status_send

    def other_node_first(self, **kwargs):
        ReceivedCase.objects.get_or_create(
            case_id=kwargs["case_id"],
            defaults={
                "subscription": town_setup["subscription"],
                "external_id": "autre nœud",
                "outcome": ReceivedCase.Outcome.REJECTED,
            },
        )
        return original(self, **kwargs)

    monkeypatch.setattr(HubeeExchange, "status_send", other_node_first)
    report = _poll(django_capture_on_commit_callbacks)
    assert report.failures == [] and report.repeated == 1
    assert ReceivedCase.objects.get(case_id=case["id"]).external_id == "autre nœud"
