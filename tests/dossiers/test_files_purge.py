"""The periodic clean-up removes the files that nothing refers to any more, and only those."""

import datetime
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.files import dossier_file_store, dossier_files_purge, file_answer
from guichet.dossiers.models import DossierFile, DossierSnapshot, Message, MessageAttachment
from tests.factories import DossierFactory
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - datetime.timedelta(hours=25)  # past the default grace of 24 hours


def keep(dossier, name: str, *, at=LONG_AGO) -> DossierFile:
    stored = dossier_file_store(
        actor=dossier.applicant, dossier=dossier, uploaded=SimpleUploadedFile(name, minimal_pdf())
    )
    DossierFile.objects.filter(pk=stored.pk).update(created_at=at)
    return stored


def test_only_old_files_that_nothing_refers_to_are_removed(private_disk, django_capture_on_commit_callbacks):
    dossier = DossierFactory()
    answered, filed, messaged, avis_free, removed, uploading = (
        keep(dossier, name)
        for name in ("reponse.pdf", "deposee.pdf", "message.pdf", "bloc.pdf", "retiree.pdf", "en-cours.pdf")
    )
    uploading_now = DossierFile.objects.filter(pk=uploading.pk)
    uploading_now.update(created_at=NOW - datetime.timedelta(minutes=5))
    dossier.answers = {"pieces": [file_answer(answered)], "bloc": [{"plan": [file_answer(avis_free)]}]}
    dossier.save(update_fields=["answers"])
    DossierSnapshot.objects.create(
        dossier=dossier,
        version=dossier.version,
        kind=DossierSnapshot.Kind.SUBMISSION,
        answers={"pieces": [file_answer(filed)]},
        author=dossier.applicant,
        created_at=LONG_AGO,
    )
    message = Message.objects.create(dossier=dossier, author=dossier.applicant, author_role="applicant", body="Voici")
    MessageAttachment.objects.create(message=message, file=messaged)
    # A content that no row describes (an upload whose transaction was rolled back), and a fresh one.
    stray, fresh = private_disk / "dossiers" / str(dossier.pk) / "perdu", private_disk / "dossiers" / "77" / "recent"
    for path in (stray, fresh):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF")
    os.utime(stray, (LONG_AGO.timestamp(), LONG_AGO.timestamp()))

    with django_capture_on_commit_callbacks(execute=True):  # contents go once the rows' removal is committed
        report = dossier_files_purge(now=NOW)

    assert (report.files, report.strays, report.dossiers) == (1, 1, [dossier.pk])
    kept = set(DossierFile.objects.values_list("name", flat=True))
    assert kept == {"reponse.pdf", "deposee.pdf", "message.pdf", "bloc.pdf", "en-cours.pdf"}
    assert not (private_disk / removed.content.name).exists() and not stray.exists()
    assert all((private_disk / stored.content.name).exists() for stored in DossierFile.objects.all())
    assert fresh.exists()
    event = AuditEvent.objects.get(action=AuditAction.DOSSIER_FILES_PURGE)
    assert event.actor is None and event.details == {"files": [str(removed.key)]}

    # Nothing more to do: a second round removes nothing.
    assert dossier_files_purge(now=NOW).files == 0


def test_the_command_runs_one_round(private_disk, capsys, django_capture_on_commit_callbacks):
    forgotten = keep(DossierFactory(), "oubliee.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("dossier_files_purge")
    assert "Fichiers inutilisés supprimés : 1 (sur 1 dossier(s)), contenus sans fiche : 0." in capsys.readouterr().out
    assert not DossierFile.objects.exists() and not (private_disk / forgotten.content.name).exists()
