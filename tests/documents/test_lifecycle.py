"""The life of acts: listed on the dossier for the applicant and the instructors, reachable only by
them; a failed generation is retried, shown to the instructors, and never lost."""

import pytest
from django.core import mail
from django.urls import reverse

from guichet.core.models import AuditEvent
from guichet.documents import services
from guichet.documents.models import Act, ActStatus
from guichet.documents.services import acts_pending_enqueue
from tests.documents.conftest import pdf_of
from tests.factories import UserFactory, instructor_of


def test_the_applicant_and_the_instructors_find_the_acts_on_the_dossier(client, draft, submit, decide):
    receipt = submit(draft)
    acceptance = decide(draft)
    client.force_login(draft.applicant)
    html = client.get(reverse("usager:dossier_detail", args=[draft.pk])).content.decode()
    assert "Actes" in html and "Accusé de réception" in html and "Décision d’acceptation" in html
    assert receipt.code_display in html and acceptance.code_display in html
    download = client.get(reverse("usager:dossier_act", args=[draft.pk, receipt.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf_of(receipt)
    # Another applicant, or an instructor of another procedure, gets nothing.
    client.force_login(UserFactory())
    assert client.get(reverse("usager:dossier_act", args=[draft.pk, receipt.pk])).status_code == 404
    instructor = instructor_of(draft.procedure)
    client.force_login(instructor)
    html = client.get(reverse("agent:dossier_detail", args=[draft.pk])).content.decode()
    assert "Accusé de réception" in html and acceptance.code_display in html
    download = client.get(reverse("agent:dossier_act", args=[draft.pk, acceptance.pk]))
    assert b"".join(download.streaming_content) == pdf_of(acceptance)


def test_a_failed_generation_is_retried_shown_to_instructors_and_never_lost(
    client, draft, submit, monkeypatch, django_capture_on_commit_callbacks
):
    real_build = services.act_build

    def broken(*args, **kwargs):
        raise OSError("le module du cachet ne répond pas")

    monkeypatch.setattr(services, "act_build", broken)
    act = submit(draft)
    act.refresh_from_db()
    # Tried three times (the worker's retries), then failed: the applicant still gets the email.
    assert act.status == ActStatus.FAILED and act.attempts == 3 and "ne répond pas" in act.last_error
    assert AuditEvent.objects.filter(action="act.generation_fail", object_id=str(act.pk)).count() == 3
    (email,) = mail.outbox
    assert draft.number in email.subject and not email.attachments
    # The applicant does not see it; the instructors do, with a button to try again.
    client.force_login(draft.applicant)
    assert act.code_display not in client.get(reverse("usager:dossier_detail", args=[draft.pk])).content.decode()
    instructor = instructor_of(draft.procedure)
    client.force_login(instructor)
    html = client.get(reverse("agent:dossier_detail", args=[draft.pk])).content.decode()
    assert "Échec" in html and "ne répond pas" in html and "Relancer la génération" in html
    monkeypatch.setattr(services, "act_build", real_build)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("agent:dossier_act_retry", args=[draft.pk, act.pk]))
    assert response.status_code == 302
    act.refresh_from_db()
    assert act.status == ActStatus.ISSUED
    assert AuditEvent.objects.filter(action="act.retry", actor=instructor, object_id=str(act.pk)).exists()
    # The act that the first email lacked follows on its own.
    (email,) = mail.outbox
    assert email.attachments[0][1] == pdf_of(act) and act.code_display in email.body
    # Trying again an issued act is refused.
    client.post(reverse("agent:dossier_act_retry", args=[draft.pk, act.pk]))
    assert Act.objects.get(pk=act.pk).status == ActStatus.ISSUED


def test_an_act_whose_task_was_lost_is_enqueued_again(draft, submit, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from guichet.dossiers.services import dossier_submit

    dossier_submit(actor=draft.applicant, dossier=draft)  # the commit's callbacks never run: the task is lost
    act = Act.objects.get(dossier=draft)
    assert act.status == ActStatus.PENDING
    assert acts_pending_enqueue(older_than=act.requested_at) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert acts_pending_enqueue(older_than=timezone.now()) == [act.pk]
    act.refresh_from_db()
    assert act.status == ActStatus.ISSUED


@pytest.mark.parametrize("name", ["start_instruction", "close"])
def test_other_steps_make_no_act(draft, submit, decide, name):
    submit(draft)
    from guichet.instruction.services import dossier_decide
    from guichet.instruction.workflow import TransitionName

    instructor = instructor_of(draft.procedure)
    dossier_decide(actor=instructor, dossier=draft, name=TransitionName.START_INSTRUCTION)
    if name == "close":
        dossier_decide(actor=instructor, dossier=draft, name=TransitionName.CLOSE, motivation="Sans suite.")
    assert list(draft.acts.values_list("kind", flat=True)) == ["receipt"]
