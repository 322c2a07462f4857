"""Uploads through the applicant's pages and messages: every path that keeps a file checks it, and a
refused file is told at once, by its name, and leaves nothing behind."""

import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guichet.dossiers.models import Dossier, DossierFile, DossierState
from tests.factories import ProcedureFactory, UserFactory
from tests.samples import EICAR, minimal_pdf, pdf_with_javascript

pytestmark = pytest.mark.django_db

DEFINITION = {
    "pages": [
        {
            "id": "pieces",
            "title": "Pièces justificatives",
            "fields": [{"id": "pieces", "type": "file", "label": "Justificatifs", "required": True, "max_files": 2}],
        },
        {"id": "fin", "title": "Fin", "fields": [{"id": "note", "type": "text", "label": "Note"}]},
    ]
}


@pytest.fixture
def dossier(client, private_disk):
    procedure = ProcedureFactory(draft_definition=DEFINITION, processing_days=30)
    client.force_login(UserFactory())
    client.post(reverse("usager:dossier_start", args=[procedure.slug]), {"cle": str(uuid.uuid4())})
    return Dossier.objects.latest("pk")


def page(dossier) -> str:
    return reverse("usager:dossier_page", args=[dossier.pk, 1])


def pdfs(count: int, start: int = 1) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"piece-{number}.pdf", minimal_pdf()) for number in range(start, start + count)]


def on_disk(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def test_a_draft_save_keeps_no_more_files_than_the_question_takes(client, dossier, private_disk):
    response = client.post(page(dossier), {"pieces": pdfs(7), "_save": "1"}, follow=True)
    html = response.content.decode()
    for number in range(3, 8):
        too_many = f"Le fichier « piece-{number}.pdf » n’a pas été joint : cette question accepte au plus 2 fichiers."
        assert too_many in html
    dossier.refresh_from_db()
    assert [item["name"] for item in dossier.answers["pieces"]] == ["piece-1.pdf", "piece-2.pdf"]
    assert DossierFile.objects.filter(dossier=dossier).count() == 2 and on_disk(private_disk) == 2

    # Full already: a later save adds nothing, whichever button sent it.
    for button in ("_save", "_previous"):
        client.post(page(dossier), {"pieces": pdfs(1, start=8), button: "1"})
    assert DossierFile.objects.filter(dossier=dossier).count() == 2 and on_disk(private_disk) == 2


def test_a_refused_file_is_told_at_its_question_and_the_page_stays(client, dossier, private_disk):
    risky = SimpleUploadedFile("formulaire.pdf", pdf_with_javascript())
    response = client.post(page(dossier), {"pieces": [risky, *pdfs(1)]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le fichier « formulaire.pdf » est un PDF qui contient du code JavaScript" in html
    assert '<a href="#champ-pieces">Justificatifs : Le fichier « formulaire.pdf »' in html  # the error summary
    dossier.refresh_from_db()
    assert [item["name"] for item in dossier.answers["pieces"]] == ["piece-1.pdf"]  # the good one is kept
    assert DossierFile.objects.filter(dossier=dossier).count() == 1 and on_disk(private_disk) == 1


def test_the_live_update_checks_files_too(client, dossier, private_disk):
    empty = SimpleUploadedFile("vide.pdf", b"")
    response = client.post(page(dossier), {"pieces": empty, "_refresh": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Le fichier « vide.pdf » est vide : il n’a pas été joint." in response.content.decode()
    assert not DossierFile.objects.exists() and on_disk(private_disk) == 0


def test_a_message_with_a_virus_is_not_sent_and_its_file_not_kept(client, dossier, private_disk, clamd, settings):
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.SUBMITTED, number="2026-000001")
    settings.GUICHET_CLAMAV_ADDRESS = clamd.tcp
    url = reverse("usager:dossier_message", args=[dossier.pk])
    refused = client.post(url, {"body": "Voici la pièce", "attachment": SimpleUploadedFile("releve.txt", EICAR)})
    assert refused.status_code == 400
    assert "Le fichier « releve.txt » contient un virus ou un programme malveillant" in refused.content.decode()
    assert not dossier.messages.exists() and not DossierFile.objects.exists() and on_disk(private_disk) == 0
    sent = client.post(url, {"body": "Voici la pièce", "attachment": SimpleUploadedFile("releve.pdf", minimal_pdf())})
    assert sent.status_code == 302
    assert dossier.messages.get().files[0].name == "releve.pdf" and on_disk(private_disk) == 1


def test_a_file_too_large_for_the_antivirus_is_refused_with_its_own_message(
    client, dossier, private_disk, clamd_small_streams, settings, caplog
):
    """clamd's StreamMaxLength below the platform's upload limit: the file is refused (never kept
    unscanned), the person told that waiting will not help, the operator told which setting to raise."""
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.SUBMITTED, number="2026-000001")
    settings.GUICHET_CLAMAV_ADDRESS = clamd_small_streams.tcp
    url = reverse("usager:dossier_message", args=[dossier.pk])
    large = SimpleUploadedFile("releve.txt", "Relevé de compte\n".encode() * 200_000)  # 3.4 MB
    refused = client.post(url, {"body": "Voici la pièce", "attachment": large})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Le fichier « releve.txt » est trop volumineux pour être vérifié par l’antivirus du service" in page
    assert "Réessayez dans quelques minutes" not in page
    assert "raise StreamMaxLength in clamd.conf" in caplog.text
    assert not dossier.messages.exists() and not DossierFile.objects.exists() and on_disk(private_disk) == 0
