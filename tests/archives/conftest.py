"""What the archives' tests share: a decided dossier with everything a package holds."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from guichet.dossiers.files import file_answer
from guichet.dossiers.models import Dossier, DossierFile, Message, MessageAttachment, TransitionName
from guichet.dossiers.services import dossier_submit
from guichet.dossiers.workflow import dossier_transition
from guichet.procedures.models import FinalFate
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

PDF_BYTES = b"%PDF-1.7\n" + b"justificatif de domicile\n" * 200 + b"%%EOF\n"

DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [
                {"id": "objet", "type": "text", "label": "Objet de la demande", "required": True},
                {"id": "justificatif", "type": "file", "label": "Justificatif de domicile"},
            ],
        }
    ]
}


def stored_file(dossier: Dossier, data: bytes, name: str, content_type: str) -> DossierFile:
    stored = DossierFile(
        dossier=dossier,
        name=name,
        size=len(data),
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=dossier.applicant,
    )
    stored.content.save("fichier", ContentFile(data), save=False)
    stored.save()
    return stored


@pytest.fixture
def decided(private_disk, django_capture_on_commit_callbacks):
    """An accepted dossier with an attachment, a message with an attachment, its receipt and
    decision acts issued (the worker's chain run on commit)."""
    procedure = ProcedureFactory(
        title="Permis de végétaliser", draft_definition=DEFINITION, final_fate=FinalFate.SORT, retention_years=10
    )
    dossier = DossierFactory(procedure=procedure)
    attachment = stored_file(dossier, PDF_BYTES, "facture électricité.pdf", "application/pdf")
    dossier.answers = {"objet": "Bac à fleurs devant le 12 rue des Lilas", "justificatif": [file_answer(attachment)]}
    dossier.save(update_fields=["answers"])
    instructor = instructor_of(procedure)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_submit(actor=dossier.applicant, dossier=dossier)
    note = stored_file(dossier, b"PNG-ish bytes" * 10, "plan.png", "image/png")
    message = Message.objects.create(
        dossier=dossier, author=dossier.applicant, author_role="applicant", body="Voici le plan."
    )
    MessageAttachment.objects.create(message=message, file=note)
    with django_capture_on_commit_callbacks(execute=True):
        for name in (TransitionName.START_INSTRUCTION, TransitionName.ACCEPT):
            dossier_transition(dossier=dossier, name=name, actor=instructor, motivation="")
    dossier.refresh_from_db()
    return dossier
