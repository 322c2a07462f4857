"""« Mes données »: the applicant downloads everything about them (JSON and PDF in a ZIP) and
deletes their account: drafts deleted, sign-in closed, identity pseudonymised once nothing they
filed is kept."""

import io
import json
import zipfile

import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import OrganisationRole, User
from guichet.archives.models import AccountClosure
from guichet.archives.personal_data import account_delete
from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import Dossier, DossierFile, SourcedValue, SourceOutcome
from guichet.instruction.messages import message_send
from guichet.instruction.services import expert_answer, expert_invite
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def applicant(client):
    user = UserFactory(first_name="Albertine", last_name="Sarrazin")
    client.force_login(user)
    return user


def test_the_page_explains_and_offers_both(client, applicant):
    DossierFactory(applicant=applicant, submitted=True)
    DossierFactory(applicant=applicant)
    page = client.get(reverse("accounts:my_data")).content.decode()
    assert "Télécharger mes données (ZIP)" in page
    assert "vos brouillons sont supprimés définitivement (vous en avez 1)" in page
    assert "dossier déposé ne sont pas effacé" in page
    assert reverse("accounts:my_data") in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.slow
def test_the_zip_holds_every_dossier_of_mine_as_json_and_pdf_and_nothing_of_others(client, applicant):
    filed = DossierFactory(applicant=applicant, submitted=True, answers={"objet": "Un abri de jardin"})
    draft = DossierFactory(applicant=applicant, answers={"objet": "Une clôture"})
    DossierFactory(submitted=True, answers={"objet": "Le dossier d’un autre"})
    assert client.get(reverse("accounts:my_data_download")).status_code == 405  # a POST, with its token

    response = client.post(reverse("accounts:my_data_download"))

    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("donnees.json"))
    assert data["compte"]["adresse_electronique"] == applicant.email
    assert data["compte"]["nom"] == "Sarrazin"
    numbers = [dossier["numero"] for dossier in data["dossiers"]]
    assert numbers == [filed.number, None]
    assert data["dossiers"][0]["reponses_deposees"] == {"objet": "Un abri de jardin"}
    assert data["dossiers"][1]["reponses_en_cours"] == {"objet": "Une clôture"}
    assert "Le dossier d’un autre" not in archive.read("donnees.json").decode()
    names = archive.namelist()
    assert f"dossier-{filed.number}/dossier-{filed.number}.pdf" in names
    assert f"brouillon-{draft.pk}/brouillon-{draft.pk}.pdf" in names
    assert archive.read(f"dossier-{filed.number}/dossier-{filed.number}.pdf").startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_DATA_EXPORT, object_id=str(applicant.pk)).exists()


def test_deleting_asks_for_the_password_first(client, applicant):
    response = client.post(reverse("accounts:account_delete"), {"confirmation": "pas le bon"})
    assert "Ce mot de passe n’est pas le bon." in response.content.decode()
    assert User.objects.get(pk=applicant.pk).is_active


def test_an_account_with_nothing_filed_is_pseudonymised_at_once(client, applicant):
    draft = DossierFactory(applicant=applicant)
    response = client.post(reverse("accounts:account_delete"), {"confirmation": PASSWORD})
    assert response.status_code == 302
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    user = User.objects.get(pk=applicant.pk)
    assert not user.is_active and not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("", "")
    assert user.email == f"compte-{user.pk}@compte-supprime.invalid"
    assert AccountClosure.objects.get(user=user).pseudonymised_at is not None
    assert not client.login(email=applicant.email, password=PASSWORD)
    assert client.get(reverse("accounts:my_data")).status_code == 302  # signed out


def test_an_account_with_filed_dossiers_is_closed_and_its_identity_kept_for_them(client, applicant):
    filed = DossierFactory(applicant=applicant, submitted=True)
    client.post(reverse("accounts:account_delete"), {"confirmation": PASSWORD})
    user = User.objects.get(pk=applicant.pk)
    assert not user.is_active
    assert user.email == applicant.email and user.last_name == "Sarrazin"  # until the retention ends
    assert Dossier.objects.get(pk=filed.pk).applicant == user
    closure = AccountClosure.objects.get(user=user)
    assert closure.pseudonymised_at is None
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_DELETE, object_id=str(user.pk))
    assert event.details == {"drafts": 0, "dossiers_kept": 1, "pseudonymised": False}


def test_an_account_without_password_confirms_with_its_address(client):
    user = UserFactory(password=None)
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.post(reverse("accounts:account_delete"), {"confirmation": "autre@exemple.fr"})
    assert "Cette adresse n’est pas celle de votre compte." in response.content.decode()
    client.post(reverse("accounts:account_delete"), {"confirmation": user.email.upper()})
    assert not User.objects.get(pk=user.pk).is_active


def test_an_agent_closes_no_account_here(client):
    agent = UserFactory()
    OrganisationRole.objects.create(
        user=agent, organisation=OrganisationFactory(), role=OrganisationRole.Role.ARCHIVIST
    )
    client.force_login(agent)
    client.post(reverse("accounts:account_delete"), {"confirmation": PASSWORD})
    assert User.objects.get(pk=agent.pk).is_active


def _instructor():
    return instructor_of(ProcedureFactory())


def _expert():
    procedure = ProcedureFactory()
    dossier = DossierFactory(procedure=procedure, in_instruction=True)
    expert = UserFactory()
    expert_invite(actor=instructor_of(procedure), dossier=dossier, expert=expert, question="Votre avis ?")
    return expert


@pytest.mark.parametrize("make_agent", [_instructor, _expert], ids=["instructor", "expert"])
def test_an_instructor_or_an_expert_closes_no_account_here_either(client, make_agent):
    """Their roles come from their groups and invitations, not from an organisation role."""
    agent = make_agent()
    client.force_login(agent)
    assert "fermé par l’administrateur" in client.get(reverse("accounts:my_data")).content.decode()
    response = client.post(reverse("accounts:account_delete"), {"confirmation": PASSWORD}, follow=True)
    assert "Un compte d’agent est fermé par l’administrateur de son organisation." in response.content.decode()
    agent = User.objects.get(pk=agent.pk)
    assert agent.is_active and not agent.email.endswith(".invalid")
    with pytest.raises(PermissionDenied):
        account_delete(user=agent)
    assert not AccountClosure.objects.filter(user=agent).exists()


def _pdf(title: str) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.slow
def test_an_experts_answer_file_is_neither_in_my_data_nor_downloadable_but_the_messages_files_are(
    client, applicant, private_disk, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory()
    dossier = DossierFactory(procedure=procedure, applicant=applicant, in_instruction=True)
    instructor, expert = instructor_of(procedure), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = expert_invite(actor=instructor, dossier=dossier, expert=expert, question="Votre avis ?")
        expert_answer(
            actor=expert,
            invitation=invitation,
            answer="Avis confidentiel",
            attachment=SimpleUploadedFile("rapport-expert.pdf", _pdf("expert"), content_type="application/pdf"),
        )
        message_send(
            actor=instructor,
            dossier=dossier,
            body="Voici le courrier.",
            attachments=[SimpleUploadedFile("courrier-mairie.pdf", _pdf("courrier"), content_type="application/pdf")],
        )
    expert_file = DossierFile.objects.get(name="rapport-expert.pdf")
    letter = DossierFile.objects.get(name="courrier-mairie.pdf")

    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.post(reverse("accounts:my_data_download")).streaming_content)))
    names = " ".join(archive.namelist())
    assert "courrier-mairie.pdf" in names and "rapport-expert" not in names
    listed = json.loads(archive.read("donnees.json"))["dossiers"][0]["pieces_jointes"]
    assert [entry["nom"] for entry in listed] == ["courrier-mairie.pdf"]

    assert _download(client, "usager:dossier_file", dossier, letter) == 200
    assert _download(client, "usager:dossier_file", dossier, expert_file) == 404
    # The instructors still open it.
    client.force_login(instructor)
    assert _download(client, "agent:dossier_file", dossier, expert_file) == 200


def _download(client, url_name, dossier, stored) -> int:
    response = client.get(reverse(url_name, args=[dossier.pk, stored.key]))
    if response.status_code == 200:
        b"".join(response.streaming_content)  # read to its end: the file it streams is closed
    return response.status_code


@pytest.mark.slow
def test_an_expert_opens_the_applicants_files_and_their_own_never_another_experts(
    client, applicant, private_disk, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory()
    dossier = DossierFactory(procedure=procedure, applicant=applicant, in_instruction=True)
    instructor, first, second = instructor_of(procedure), UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        asked_first = expert_invite(actor=instructor, dossier=dossier, expert=first, question="Votre avis ?")
        asked_second = expert_invite(actor=instructor, dossier=dossier, expert=second, question="Et le vôtre ?")
        expert_answer(
            actor=first,
            invitation=asked_first,
            answer="Avis confidentiel",
            attachment=SimpleUploadedFile("rapport-premier.pdf", _pdf("premier"), content_type="application/pdf"),
        )
        message_send(
            actor=instructor,
            dossier=dossier,
            body="Voici le courrier.",
            attachments=[SimpleUploadedFile("courrier-mairie.pdf", _pdf("courrier"), content_type="application/pdf")],
        )
    report = DossierFile.objects.get(name="rapport-premier.pdf")
    letter = DossierFile.objects.get(name="courrier-mairie.pdf")

    def download(invitation, stored) -> int:
        response = client.get(reverse("expert:file", args=[invitation.pk, stored.key]))
        if response.status_code == 200:
            b"".join(response.streaming_content)
        return response.status_code

    client.force_login(second)
    assert download(asked_second, letter) == 200
    assert download(asked_second, report) == 404
    client.force_login(first)
    assert download(asked_first, report) == 200


@pytest.mark.slow
def test_the_zip_says_which_answers_came_from_a_data_source_and_the_consent_given(client, applicant):
    filed = DossierFactory(applicant=applicant, submitted=True, answers={"objet": "Une cantine", "qf": 640})
    SourcedValue.objects.create(
        dossier=filed,
        field_id="qf",
        provider="api_particulier",
        datum="family_quotient",
        outcome=SourceOutcome.CERTIFIED,
        value=640,
        consent="J’accepte que la mairie obtienne mon quotient familial auprès de la CAF.",
        fetched_at=timezone.now(),
    )
    response = client.post(reverse("accounts:my_data_download"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    (sourced,) = json.loads(archive.read("donnees.json"))["dossiers"][0]["donnees_issues_de_sources"]
    assert sourced["champ"] == "qf"
    assert sourced["valeur"] == 640
    assert sourced["origine"].startswith("Donnée issue d’API Particulier, le ")
    assert sourced["consentement"] == "J’accepte que la mairie obtienne mon quotient familial auprès de la CAF."
