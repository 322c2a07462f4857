"""Sending: a procedure that transmits through HubEE sends each dossier filed, with its files and its
receipt, to the administration of the SIRET and branch code chosen; the remote status is read back."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from guichet.dossiers.files import dossier_file_keep, file_answer
from guichet.dossiers.services import dossier_answers_save, dossier_create, dossier_submit
from guichet.exchanges.models import SentFolder
from guichet.exchanges.remote_status import folders_refresh, transmissions_notifications_take
from guichet.exchanges.selectors import hubee_exchange_of
from guichet.exchanges.services import hubee_transmission_set
from guichet.instruction.followup.chain import followup_run
from guichet.instruction.models import FollowUpStep
from tests.connectors.hubee.stand_in import UNAVAILABLE
from tests.exchanges.conftest import PDF
from tests.factories import UserFactory

PREFECTURE = "17750001500012"


@pytest.fixture
def sending(town_setup):
    hub = town_setup["hubee"].hub
    osl = hub.client_add(scope="OSL", process_code="depotDossierPACS", siret="21730001200017")
    si = hub.client_add(scope="SI", process_code="depotDossierPACS", siret=PREFECTURE)
    transmission = hubee_transmission_set(
        actor=town_setup["administrator"],
        procedure=town_setup["procedure"],
        process_code="depotDossierPACS",
        client_id=osl.client_id,
        client_secret=osl.secret,
        recipient_siret=PREFECTURE,
        recipient_branch_code="75001",
    )
    return {**town_setup, "si": si, "transmission": transmission}


def _file(setup, capture):
    applicant = UserFactory(first_name="Alex", last_name="Durand")
    dossier = dossier_create(actor=applicant, procedure=setup["procedure"])
    stored = dossier_file_keep(
        actor=applicant, dossier=dossier, uploaded=SimpleUploadedFile("livret.pdf", PDF, "application/pdf")
    )
    answers = {"nom": "Durand", "prenom": "Alex", "type_acte": "PACS", "justificatif": [file_answer(stored)]}
    dossier = dossier_answers_save(actor=applicant, dossier=dossier, answers=answers)
    with capture(execute=True):
        return dossier_submit(actor=applicant, dossier=dossier)


def test_a_filed_dossier_is_sent_with_its_file_and_its_receipt(sending, django_capture_on_commit_callbacks):
    dossier = _file(sending, django_capture_on_commit_callbacks)
    sent = SentFolder.objects.get(dossier=dossier)
    hub = sending["hubee"].hub
    folder = hub.folders[sent.folder_id]
    assert folder["globalStatus"] == "HUBEE_COMPLETED" and folder["externalId"] == f"GUICHET-{dossier.number}"
    assert folder["applicant"]["lastName"] == "Durand"
    case = hub.cases[sent.case_id]
    assert case["recipient"]["companyRegister"] == PREFECTURE and case["recipient"]["branchCode"] == "75001"
    kinds = sorted(attachment["type"] for attachment in case["attachments"])
    assert kinds == ["ACTE_RECEIPT", "PIECE_JOINTE"]
    contents = [hub.binaries[attachment["id"]] for attachment in case["attachments"]]
    assert PDF in contents and all(content.startswith(b"%PDF") for content in contents)
    assert sent.completed_at is not None and sent.remote_status == "HUBEE_NOTIFIED"
    # The prefecture's information system takes it in: HubEE tells the online service (Guichet), which
    # applies the status, acknowledges the event and deletes the notification.
    update = {"actionType": "STATUS_UPDATE", "caseNewStatus": "IN_PROGRESS", "notification": True}
    event = hub.event_create(sending["si"], sent.case_id, update)
    assert transmissions_notifications_take() == 1
    assert hubee_exchange_of(dossier)["remote_status"] == "En cours d’instruction"
    assert event["status"] == "RECEIVED"
    assert [n for n in hub.notifications.values() if n["recipient"]["type"] == "OSL"] == []
    # Without a notification (lost, or not asked for), the folder read back says it.
    hub.event_create(sending["si"], sent.case_id, {"actionType": "STATUS_UPDATE", "caseNewStatus": "DONE"})
    assert folders_refresh() == 1 and folders_refresh() == 0  # final: no more reads
    assert hubee_exchange_of(dossier)["remote_status"] == "Terminé"


def test_the_applicant_sees_where_the_dossier_went_and_its_status_there(
    sending, client, django_capture_on_commit_callbacks
):
    dossier = _file(sending, django_capture_on_commit_callbacks)
    sent = SentFolder.objects.get(dossier=dossier)
    sending["hubee"].hub.event_create(
        sending["si"], sent.case_id, {"actionType": "STATUS_UPDATE", "caseNewStatus": "ADD_AWAITING"}
    )
    folders_refresh()
    client.force_login(dossier.applicant)
    page = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Votre dossier a été transmis par HubEE à l’administration compétente" in page
    assert "État chez le destinataire : <strong>Compléments attendus</strong>" in page


def test_an_interrupted_sending_goes_on_with_the_same_folder(sending, django_capture_on_commit_callbacks):
    hubee = sending["hubee"]
    # The folder is made, then HubEE fails on the first upload (3 attempts).
    hubee.script = ["normal", "normal", UNAVAILABLE, UNAVAILABLE, UNAVAILABLE]
    dossier = _file(sending, django_capture_on_commit_callbacks)
    step = FollowUpStep.objects.get(transition__dossier=dossier, name=FollowUpStep.Name.EXCHANGES)
    assert step.status == FollowUpStep.Status.PENDING and "503" in step.last_error
    sent = SentFolder.objects.get(dossier=dossier)
    assert sent.completed_at is None
    followup_run(transition_id=step.transition_id, now=timezone.now() + timedelta(minutes=2))
    sent.refresh_from_db()
    assert sent.completed_at is not None and len(hubee.hub.folders) == 1
    assert hubee.hub.folders[sent.folder_id]["globalStatus"] == "HUBEE_COMPLETED"
    assert [method for method, path in hubee.requests if path.endswith("/folders")] == ["POST"]


def test_a_folder_whose_creation_answer_was_lost_is_made_again_and_only_one_goes_out(
    sending, settings, django_capture_on_commit_callbacks
):
    """HubEE offers no way to find a folder by its externalId, and `POST /folders` is not repeated
    within a call: the retry makes a second folder. The first, never completed, stays a draft that
    no recipient ever sees (decision 0035): the prefecture receives exactly one case."""
    hubee = sending["hubee"]
    hubee.hub.deterministic = False  # HubEE's ids are random: a second creation is a second folder
    settings.GUICHET_HUBEE_TIMEOUT = 0.3
    hubee.slow_seconds = 1.0
    hubee.script = ["normal", "slow"]  # the token, then the folder made but its answer too late
    dossier = _file(sending, django_capture_on_commit_callbacks)
    step = FollowUpStep.objects.get(transition__dossier=dossier, name=FollowUpStep.Name.EXCHANGES)
    assert step.status == FollowUpStep.Status.PENDING and not SentFolder.objects.filter(dossier=dossier).exists()
    deadline = time.monotonic() + 5
    while not hubee.hub.folders and time.monotonic() < deadline:  # HubEE finishes the late request
        time.sleep(0.05)
    settings.GUICHET_HUBEE_TIMEOUT = 5
    followup_run(transition_id=step.transition_id, now=timezone.now() + timedelta(minutes=2))
    sent = SentFolder.objects.get(dossier=dossier)
    statuses = sorted(folder["globalStatus"] for folder in hubee.hub.folders.values())
    assert len(statuses) == 2 and statuses.count("HUBEE_COMPLETED") == 1
    assert hubee.hub.folders[sent.folder_id]["globalStatus"] == "HUBEE_COMPLETED"
    # Cases reach the recipient only when their folder is completed: one case published.
    assert [case["folderId"] for case in hubee.hub.cases.values()] == [sent.folder_id]


def test_the_transmission_setting_is_checked(sending):
    with pytest.raises(ValidationError) as refused:
        hubee_transmission_set(
            actor=sending["administrator"],
            procedure=sending["procedure"],
            process_code="depotDossierPACS",
            client_id="x",
            client_secret="",
            recipient_siret="1234",
            recipient_branch_code="75001",
        )
    assert "14 chiffres" in str(refused.value)
