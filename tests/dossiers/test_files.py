"""Keeping a dossier's files: a refused file leaves nothing behind, neither a row nor a stored content."""

import logging
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guichet.core.models import AuditAction, AuditEvent
from guichet.core.uploads import UploadRefused
from guichet.dossiers.files import dossier_file_store
from guichet.dossiers.models import DossierFile
from tests.connectors.clamav.clamd import FOUND, free_port
from tests.factories import DossierFactory
from tests.samples import EICAR, REFUSED_UPLOADS, minimal_pdf

pytestmark = pytest.mark.django_db


def on_disk(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def dossier(private_disk):
    return DossierFactory()


@pytest.mark.parametrize("name", sorted(REFUSED_UPLOADS))
def test_a_refused_file_is_neither_stored_nor_recorded(dossier, private_disk, name):
    content, reason = REFUSED_UPLOADS[name]
    with pytest.raises(UploadRefused) as refusal:
        dossier_file_store(actor=dossier.applicant, dossier=dossier, uploaded=SimpleUploadedFile(name, content))
    assert f"Le fichier « {name} » {reason}" in refusal.value.message
    assert not DossierFile.objects.filter(dossier=dossier).exists()
    assert on_disk(private_disk) == []
    assert not AuditEvent.objects.filter(action=AuditAction.DOSSIER_FILE_STORE).exists()


def test_a_field_may_accept_less_but_never_more_than_the_platform(dossier, private_disk, settings):
    settings.GUICHET_UPLOAD_MAX_MB = 1
    upload = SimpleUploadedFile("gros.txt", b"a" * (1024 * 1024 + 1))
    with pytest.raises(UploadRefused, match="« gros.txt » dépasse 1 Mo"):
        dossier_file_store(actor=dossier.applicant, dossier=dossier, uploaded=upload, max_size_mb=500)
    with pytest.raises(
        UploadRefused, match=r"« plan.pdf » n’est pas d’un type accepté \(formats acceptés : JPEG, PNG\)"
    ):
        dossier_file_store(
            actor=dossier.applicant,
            dossier=dossier,
            uploaded=SimpleUploadedFile("plan.pdf", minimal_pdf()),
            accept=["image/jpeg", ".png", "image/svg+xml"],
        )
    # A zip only where the procedure's field ticks it.
    kept = dossier_file_store(
        actor=dossier.applicant,
        dossier=dossier,
        uploaded=SimpleUploadedFile("archive.zip", REFUSED_UPLOADS["archive.zip"][0]),
        accept=["application/zip"],
    )
    assert kept.content_type == "application/zip" and on_disk(private_disk) == [kept.content.name]


def test_a_readable_pdf_without_active_content_is_kept(dossier):
    kept = dossier_file_store(
        actor=dossier.applicant, dossier=dossier, uploaded=SimpleUploadedFile("attestation.pdf", minimal_pdf())
    )
    with kept.content.open("rb") as content:
        assert kept.content_type == "application/pdf" and content.read() == minimal_pdf()


def test_the_antivirus_refuses_eicar_and_keeps_a_clean_file(dossier, private_disk, clamd, settings):
    settings.GUICHET_CLAMAV_ADDRESS = clamd.unix
    with pytest.raises(UploadRefused) as refusal:
        dossier_file_store(actor=dossier.applicant, dossier=dossier, uploaded=SimpleUploadedFile("eicar.txt", EICAR))
    assert refusal.value.message == (
        f"Le fichier « eicar.txt » contient un virus ou un programme malveillant (détecté par l’antivirus : "
        f"{FOUND}) : il n’a pas été joint."
    )
    assert not DossierFile.objects.exists() and on_disk(private_disk) == []
    kept = dossier_file_store(
        actor=dossier.applicant, dossier=dossier, uploaded=SimpleUploadedFile("attestation.pdf", minimal_pdf())
    )
    assert list(DossierFile.objects.all()) == [kept]


def test_a_scanner_that_is_down_refuses_the_upload_and_says_to_retry(dossier, private_disk, settings, caplog):
    settings.GUICHET_CLAMAV_ADDRESS, settings.GUICHET_CLAMAV_TIMEOUT = f"tcp://127.0.0.1:{free_port()}", 2
    with caplog.at_level(logging.ERROR, logger="guichet.dossiers.files"), pytest.raises(UploadRefused) as refusal:
        dossier_file_store(
            actor=dossier.applicant, dossier=dossier, uploaded=SimpleUploadedFile("attestation.pdf", minimal_pdf())
        )
    assert refusal.value.message == (
        "Le fichier « attestation.pdf » n’a pas pu être vérifié par l’antivirus : il n’a pas été joint. "
        "Réessayez dans quelques minutes."
    )
    assert "the antivirus cannot scan it" in caplog.text and "cannot be reached" in caplog.text
    assert not DossierFile.objects.exists() and on_disk(private_disk) == []
