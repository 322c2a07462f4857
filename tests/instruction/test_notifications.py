"""Instructors hear of what happens on their dossiers as each chooses: at once, in a daily digest
sent once from 8:00, or not at all."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from guichet.instruction.messages import message_send
from guichet.instruction.models import InstructorNotification, NotificationMode
from guichet.instruction.notifications import notification_preference_set, notifications_daily_digest
from tests.factories import DossierFactory, instructor_of

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def dossier():
    return DossierFactory(submitted=True)


def test_each_instructor_is_told_as_they_chose(dossier, django_capture_on_commit_callbacks):
    instructor_of(dossier.procedure, email="vite@instruction.fr")  # immediate, by default
    daily = instructor_of(dossier.procedure, email="resume@instruction.fr")
    never = instructor_of(dossier.procedure, email="jamais@instruction.fr")
    notification_preference_set(actor=daily, mode=NotificationMode.DIGEST)
    notification_preference_set(actor=never, mode=NotificationMode.NONE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=dossier.applicant, dossier=dossier, body="Bonjour")
    recipients = [message.to[0] for message in mail.outbox]
    assert "vite@instruction.fr" in recipients
    assert "resume@instruction.fr" not in recipients and "jamais@instruction.fr" not in recipients
    assert reverse("agent:dossier_detail", args=[dossier.pk]) in mail.outbox[0].body
    assert not InstructorNotification.objects.filter(user=never).exists()
    assert InstructorNotification.objects.get(user=daily).sent_at is None

    # The digest: nothing before 8:00, then once that day, whatever the number of calls.
    mail.outbox.clear()
    with mock.patch("django.utils.timezone.now", return_value=datetime(2027, 3, 4, 7, 30, tzinfo=PARIS)):
        assert notifications_daily_digest() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_daily_digest(now=datetime(2027, 3, 4, 8, 5, tzinfo=PARIS)) == 1
        assert notifications_daily_digest(now=datetime(2027, 3, 4, 9, 5, tzinfo=PARIS)) == 0
    (digest,) = mail.outbox
    assert digest.to == ["resume@instruction.fr"] and f"dossier n°{dossier.number}" in digest.body
    assert InstructorNotification.objects.get(user=daily).sent_at is not None
    # The next day, nothing new: no empty digest.
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_daily_digest(now=datetime(2027, 3, 5, 8, 5, tzinfo=PARIS)) == 0


def test_a_new_dossier_and_an_experts_opinion_are_announced(django_capture_on_commit_callbacks):
    draft = DossierFactory()
    instructor = instructor_of(draft.procedure, email="instructeur@instruction.fr")
    from guichet.dossiers.services import dossier_submit

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_submit(actor=draft.applicant, dossier=draft)
    draft.refresh_from_db()
    told = [m for m in mail.outbox if m.to == [instructor.email]]
    assert told and f"Nouveau dossier n°{draft.number}" in told[0].subject
    assert InstructorNotification.objects.filter(user=instructor, kind="new_dossier").exists()


def test_the_instructor_chooses_on_the_back_office_home(client, dossier):
    instructor = instructor_of(dossier.procedure)
    client.force_login(instructor)
    assert client.post(reverse("agent:notifications"), {"mode": "digest"}).status_code == 302
    assert instructor.notification_preference.mode == "digest"
    page = client.get(reverse("agent:procedures")).content.decode()
    assert 'value="digest" id="id_mode_1" checked' in page
