"""Drafts never filed are deleted once left untouched for GUICHET_DRAFT_RETENTION_DAYS, their
applicant warned by email a week before, once; any change starts the count again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from guichet.archives.drafts import drafts_expire
from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.files import dossier_file_store
from guichet.dossiers.models import Dossier
from guichet.dossiers.services import dossier_answers_save
from tests.factories import DossierFactory
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _days(settings):
    settings.GUICHET_DRAFT_RETENTION_DAYS = 180
    settings.GUICHET_DRAFT_EXPIRY_WARNING_DAYS = 7


def _run(callbacks, when):
    with callbacks(execute=True):
        return drafts_expire(now=when)


def test_the_applicant_is_warned_a_week_before_once_then_the_draft_and_its_files_go(
    private_disk, django_capture_on_commit_callbacks
):
    draft = DossierFactory()
    stored = dossier_file_store(
        actor=draft.applicant, dossier=draft, uploaded=SimpleUploadedFile("plan.pdf", minimal_pdf())
    )
    filed = DossierFactory(submitted=True)
    start = draft.updated_at
    c = django_capture_on_commit_callbacks

    assert _run(c, start + timedelta(days=172)).warned == 0  # not yet: 8 days before
    mail.outbox.clear()
    report = _run(c, start + timedelta(days=173, hours=1))
    assert (report.warned, report.deleted) == (1, 0)
    (email,) = mail.outbox
    assert email.to == [draft.applicant.email]
    assert "sera supprimé le" in email.subject
    assert f"/mes-dossiers/{draft.pk}/" in email.body

    # The next rounds tell nobody again; the draft stays until the week has passed.
    assert _run(c, start + timedelta(days=175)).warned == 0
    assert _run(c, start + timedelta(days=180, minutes=30)).deleted == 0  # warned 6 days 23 h ago
    report = _run(c, start + timedelta(days=180, hours=1, minutes=1))
    assert report.deleted == 1
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not (private_disk / stored.content.name).exists()
    assert Dossier.objects.filter(pk=filed.pk).exists()  # a filed dossier follows its retention
    assert AuditEvent.objects.filter(action=AuditAction.DOSSIER_DRAFT_EXPIRY_WARN).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.DOSSIER_DRAFT_EXPIRE, object_id=str(draft.pk)).exists()
    assert len(mail.outbox) == 1


def test_a_change_after_the_warning_starts_the_count_again(django_capture_on_commit_callbacks):
    draft = DossierFactory()
    start = draft.updated_at
    c = django_capture_on_commit_callbacks
    assert _run(c, start + timedelta(days=174)).warned == 1
    dossier_answers_save(actor=draft.applicant, dossier=draft, answers={"objet": "Je reprends"})
    # …as if that change came on day 176 (the service writes the real time).
    Dossier.objects.filter(pk=draft.pk).update(updated_at=start + timedelta(days=176))
    assert _run(c, start + timedelta(days=182)).deleted == 0
    assert Dossier.objects.filter(pk=draft.pk).exists()
    mail.outbox.clear()
    # Its new idleness gets its own warning, then its own deletion.
    assert _run(c, start + timedelta(days=176 + 174)).warned == 1
    assert len(mail.outbox) == 1
    assert _run(c, start + timedelta(days=176 + 181)).deleted == 1


def test_a_late_round_never_shortens_the_notice(django_capture_on_commit_callbacks):
    draft = DossierFactory()
    c = django_capture_on_commit_callbacks
    late = draft.updated_at + timedelta(days=400)  # the server was stopped for months
    assert (_run(c, late).warned, _run(c, late).deleted) == (1, 0)
    assert _run(c, late + timedelta(days=7, minutes=1)).deleted == 1


def test_the_command_runs_one_round(capsys):
    DossierFactory()
    call_command("drafts_expire", verbosity=2)
    assert "0 brouillon(s) supprimé(s)" in capsys.readouterr().out
