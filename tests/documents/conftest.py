import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from guichet.accounts.models import OrganisationRole
from guichet.dossiers.models import TransitionName
from guichet.dossiers.services import dossier_submit
from guichet.instruction.followup.chain import followups_resume
from guichet.instruction.services import dossier_decide
from tests.connectors.timestamping.stand_in import stand_in_tsa
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory, instructor_of


@pytest.fixture
def procedure(db):
    organisation = OrganisationFactory(
        name="Mairie de Villebourg", street_address="1 place de la Mairie", postcode="75001", city="Paris"
    )
    return ProcedureFactory(
        organisation=organisation,
        title="Permis de végétaliser",
        processing_days=30,
        silence_rule="acceptance",
    )


@pytest.fixture
def administrator(procedure):
    """A procedure administrator of the procedure's organisation (who writes its act templates)."""
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=procedure.organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return user


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """File a draft as its applicant, running what follows the commit (the worker's tasks)."""

    def run(dossier):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            dossier_submit(actor=dossier.applicant, dossier=dossier)
        return dossier.acts.get(kind="receipt")

    return run


@pytest.fixture
def retries_run(django_capture_on_commit_callbacks):
    """Let the follow-up chains' retries come (after 1 then 5 minutes), as the resume loop would."""

    def run():
        for minutes in (2, 8):
            with django_capture_on_commit_callbacks(execute=True):
                followups_resume(now=timezone.now() + timedelta(minutes=minutes))

    return run


@pytest.fixture
def decide(django_capture_on_commit_callbacks):
    def run(dossier, name=TransitionName.ACCEPT, motivation="Le projet respecte le règlement."):
        instructor = instructor_of(dossier.procedure, first_name="Inès", last_name="Truchot")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.START_INSTRUCTION)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            dossier_decide(actor=instructor, dossier=dossier, name=name, motivation=motivation)
        kind = "acceptance" if name == TransitionName.ACCEPT else "refusal"
        return dossier.acts.get(kind=kind)

    return run


@pytest.fixture
def draft(procedure):
    return DossierFactory(procedure=procedure, answers={"objet": "Un pied d’arbre rue des Lilas"})


def pdf_of(act) -> bytes:
    with act.pdf.open("rb") as stored:
        return stored.read()


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # justified lines come out with several spaces between words


@pytest.fixture
def tsa(tmp_path):
    """A timestamping authority (RFC 3161 over HTTP, on 127.0.0.1) certified by the development authority."""
    with stand_in_tsa(tmp_path / "tsa") as authority:
        yield authority
