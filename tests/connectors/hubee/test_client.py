"""The HubEE connector against the stand-in: tokens per démarche kept and renewed, a token that HubEE
let expire replaced at once, refused credentials, the hub down or slow, and the calls of both sides."""

import base64
import hashlib

import pytest

from guichet.connectors.base import ConnectorRejected, ConnectorTimeout, ConnectorUnavailable
from guichet.connectors.hubee.client import HubeeCredentials, HubeeCredentialsRefused, HubeeNotFound, HubeeRefused
from tests.connectors.hubee.conftest import hubee_connector
from tests.connectors.hubee.hub_cases import HubError
from tests.connectors.hubee.stand_in import CUT, RESET, SLOW, UNAVAILABLE

TOWN = "21730001200017"
PDF = b"%PDF-1.4 demande d'acte"


def _si(hubee, **kwargs):
    client = hubee.hub.client_add(scope="SI", process_code="EtatCivil", siret=TOWN, **kwargs)
    return client, HubeeCredentials(client_id=client.client_id, client_secret=client.secret, scope="SI")


def _deposit(hubee, **kwargs):
    osl = hubee.hub.client_add(scope="OSL", process_code="EtatCivil", siret="13002526500013")
    applicant = {"firstName": "Camille", "lastName": "Martin", "email": "camille@exemple.fr"}
    return hubee.hub.folder_deposit(
        osl=osl, recipient_siret=TOWN, applicant=applicant, files=[("demande.pdf", "PDF", "application/pdf", PDF)]
    )


def test_one_token_per_demarche_is_kept_until_it_nearly_expires(hubee):
    _, credentials = _si(hubee)
    connector = hubee_connector(hubee)
    for _ in range(3):
        assert connector.notifications(credentials=credentials) == []
    assert hubee.hub.tokens_issued == 1
    # Another démarche has its own token.
    _, other = _si(hubee)
    connector.notifications(credentials=other)
    assert hubee.hub.tokens_issued == 2


def test_a_token_is_renewed_before_it_expires(hubee):
    hubee.hub.token_lifetime = 20  # within the renewal margin (30 s): never used once kept
    _, credentials = _si(hubee)
    connector = hubee_connector(hubee)
    connector.notifications(credentials=credentials)
    connector.notifications(credentials=credentials)
    assert hubee.hub.tokens_issued == 2


def test_a_token_that_hubee_let_expire_is_replaced_and_the_call_made_again(hubee):
    _, credentials = _si(hubee)
    connector = hubee_connector(hubee)
    case = _deposit(hubee)
    connector.notifications(credentials=credentials)
    hubee.hub.tokens_expire()  # HubEE now answers 401 to the token kept
    assert connector.case(credentials=credentials, case_id=case["id"])["externalId"] == case["externalId"]
    assert hubee.hub.tokens_issued == 2
    assert [path for method, path in hubee.requests if path.endswith(case["id"])] == [
        f"/teledossiers/v1/cases/{case['id']}"
    ] * 2


def test_wrong_credentials_are_refused_with_a_typed_error(hubee):
    client, _ = _si(hubee)
    connector = hubee_connector(hubee)
    with pytest.raises(HubeeCredentialsRefused) as refused:
        connector.notifications(credentials=HubeeCredentials(client_id=client.client_id, client_secret="faux"))
    assert refused.value.status == 401 and client.client_id in str(refused.value)
    wrong_scope = HubeeCredentials(client_id=client.client_id, client_secret=client.secret, scope="OSL")
    with pytest.raises(HubeeCredentialsRefused, match="invalid_scope"):
        connector.notifications(credentials=wrong_scope)


def test_the_hub_down_is_retried_then_unavailable_and_slow_is_a_timeout(hubee):
    _, credentials = _si(hubee)
    connector = hubee_connector(hubee, attempts=2)
    hubee.script = [UNAVAILABLE]
    assert connector.notifications(credentials=credentials) == []  # the second attempt passed
    hubee.script = [UNAVAILABLE, UNAVAILABLE]
    with pytest.raises(ConnectorUnavailable, match="503"):
        connector.notifications(credentials=credentials)
    hubee.script = [RESET, RESET]
    with pytest.raises(ConnectorUnavailable):
        connector.notifications(credentials=credentials)
    hubee.slow_seconds = 1.0
    hubee.script = [SLOW, SLOW]
    with pytest.raises(ConnectorTimeout):
        hubee_connector(hubee, attempts=2, timeout=0.3).notifications(credentials=credentials)


def test_receiving_side_reads_a_case_downloads_its_attachment_and_answers(hubee):
    _, credentials = _si(hubee)
    connector = hubee_connector(hubee)
    case = _deposit(hubee)
    [notification] = connector.notifications(credentials=credentials)
    assert notification["caseId"] == case["id"] and notification["eventId"] is None
    read = connector.case(credentials=credentials, case_id=case["id"])
    assert read["applicant"]["lastName"] == "Martin" and read["status"] == "HUBEE_NOTIFIED"
    [attachment] = read["attachments"]
    assert connector.case_attachment(credentials=credentials, case_id=case["id"], attachment_id=attachment["id"]) == PDF
    event = connector.status_send(credentials=credentials, case_id=case["id"], status="SI_RECEIVED", message="Reçu")
    assert event["caseNewStatus"] == "SI_RECEIVED" and hubee.hub.cases[case["id"]]["status"] == "SI_RECEIVED"
    with pytest.raises(HubeeRefused, match="caseNewStatus"):
        connector.status_send(credentials=credentials, case_id=case["id"], status="ACCEPTED", message="?")
    connector.notification_delete(credentials=credentials, notification_id=notification["id"])
    connector.notification_delete(credentials=credentials, notification_id=notification["id"])  # done already
    assert connector.notifications(credentials=credentials) == []
    with pytest.raises(HubeeNotFound):
        connector.case(credentials=credentials, case_id="00000000-0000-0000-0000-000000000000")


def test_sending_side_uploads_each_attachment_with_its_digest_then_completes(hubee):
    osl = hubee.hub.client_add(scope="OSL", process_code="EtatCivil", siret="21730001200017")
    credentials = HubeeCredentials(client_id=osl.client_id, client_secret=osl.secret, scope="OSL")
    connector = hubee_connector(hubee)
    body = {
        "processCode": "EtatCivil",
        "externalId": "GUICHET-1",
        "applicant": {"firstName": "Camille", "lastName": "Martin"},
        "cases": [
            {"externalId": "GUICHET-1-01", "recipient": {"type": "SI", "companyRegister": TOWN, "branchCode": "73001"}}
        ],
        "attachments": [
            {
                "fileName": "a.pdf",
                "type": "PJ",
                "size": len(PDF),
                "mimeType": "application/pdf",
                "recipients": ["GUICHET-1-01"],
            }
        ],
    }
    folder = connector.folder_create(credentials=credentials, folder=body)
    with pytest.raises(HubeeRefused, match="attachments"):
        connector.folder_complete(credentials=credentials, folder_id=folder["id"])
    attachment_id = folder["attachments"][0]["id"]
    connector.folder_attachment_upload(
        credentials=credentials, folder_id=folder["id"], attachment_id=attachment_id, content=PDF
    )
    assert hubee.hub.binaries[attachment_id] == PDF
    digest = base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    assert hubee.hub.folders[folder["id"]]["attachments"][0]["status"] == "RECEIVED" and digest
    connector.folder_complete(credentials=credentials, folder_id=folder["id"])
    seen = connector.folder(credentials=credentials, folder_id=folder["id"])
    assert seen["globalStatus"] == "HUBEE_COMPLETED" and seen["cases"][0]["status"] == "HUBEE_NOTIFIED"


def test_a_file_the_sender_adds_later_is_read_once_uploaded_checked_against_its_digest(hubee):
    _, credentials = _si(hubee)
    connector = hubee_connector(hubee)
    case = _deposit(hubee)
    osl = next(client for client in hubee.hub.clients.values() if client.scope == "OSL")
    event = hubee.hub.event_post(
        osl,
        case["id"],
        action="ATTACH_DEPOSIT",
        message="Pièce demandée",
        files=[("b.pdf", "PJ", "application/pdf", PDF)],
        upload=False,
    )
    [attachment] = event["attachments"]
    ids = {"case_id": case["id"], "event_id": event["id"], "attachment_id": attachment["id"]}
    read = connector.event(credentials=credentials, case_id=case["id"], event_id=event["id"])
    assert read["actionType"] == "ATTACH_DEPOSIT" and read["attachments"][0]["status"] == "PENDING"
    # Described but not uploaded yet: HubEE's « File is not found ».
    with pytest.raises(HubeeNotFound, match="File is not found"):
        connector.event_attachment(credentials=credentials, **ids)
    hubee.hub.event_attachment_upload(osl, case["id"], event["id"], attachment["id"], PDF, _sha256(PDF))
    assert connector.event_attachment(credentials=credentials, **ids) == PDF
    # A transfer cut short does not match the digest HubEE sent with it: refused, to be read again.
    hubee.script = [CUT]
    with pytest.raises(ConnectorRejected, match="empreinte"):
        connector.event_attachment(credentials=credentials, **ids)
    # Only the case's two sides read it: another town hall of the démarche is told it does not exist.
    _, stranger = _si(hubee, client_id="autre-mairie")
    hubee.hub.clients["autre-mairie"].organisation["companyRegister"] = "21730002200016"
    with pytest.raises(HubeeNotFound):
        connector.event_attachment(credentials=stranger, **ids)


def test_either_side_writes_messages_on_a_case(hubee):
    _, credentials = _si(hubee)
    case = _deposit(hubee)
    osl = next(client for client in hubee.hub.clients.values() if client.scope == "OSL")
    event = hubee.hub.event_post(osl, case["id"], action="SENDING_MESSAGE", message="Bonjour", comment="Interne")
    read = hubee_connector(hubee).event(credentials=credentials, case_id=case["id"], event_id=event["id"])
    assert (read["actionType"], read["message"], read["comment"]) == ("SENDING_MESSAGE", "Bonjour", "Interne")
    assert read["transmitter"]["type"] == "OSL"
    for refused in ({"actionType": "COM_ADD", "message": " "}, {"actionType": "COM_ADD", "message": "x" * 1001}):
        with pytest.raises(HubError, match="message"):
            hubee.hub.event_create(osl, case["id"], refused)


def _sha256(content: bytes) -> str:
    return base64.b64encode(hashlib.sha256(content).digest()).decode()
