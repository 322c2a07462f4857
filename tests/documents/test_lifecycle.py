"""The life of acts: listed on the dossier for the applicant and the instructors, reachable only by
them; a failed generation is retried, shown to the instructors, and never lost."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from guichet.core.models import AuditEvent
from guichet.documents import services
from guichet.documents.models import Act, ActStatus
from guichet.instruction.followup.chain import followups_resume
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
    client, draft, submit, monkeypatch, django_capture_on_commit_callbacks, retries_run
):
    real_build = services.act_build

    def broken(*args, **kwargs):
        raise OSError("le module du cachet ne répond pas")

    monkeypatch.setattr(services, "act_build", broken)
    act = submit(draft)
    # The chain tries again after 1 then 5 minutes (the resume loop takes it up when due).
    retries_run()
    act.refresh_from_db()
    # Tried three times, then failed: the applicant still gets the email.
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


def test_an_act_whose_task_was_lost_is_made_by_the_resume_loop(draft, submit, django_capture_on_commit_callbacks):
    from guichet.dossiers.services import dossier_submit

    log = dossier_submit(actor=draft.applicant, dossier=draft).transitions.get()
    # The commit's callbacks never run: the task is lost, and no act is made yet.
    assert not Act.objects.filter(dossier=draft).exists()
    assert followups_resume(now=log.at) == []  # a chain just committed is left to its task
    with django_capture_on_commit_callbacks(execute=True):
        assert followups_resume(now=timezone.now() + timedelta(minutes=2)) == [log.pk]
    act = Act.objects.get(dossier=draft)
    assert act.status == ActStatus.ISSUED


@pytest.mark.parametrize("name", ["start_instruction", "close"])
def test_other_steps_make_no_act(draft, submit, decide, name):
    submit(draft)
    from guichet.dossiers.models import TransitionName
    from guichet.instruction.services import dossier_decide

    instructor = instructor_of(draft.procedure)
    dossier_decide(actor=instructor, dossier=draft, name=TransitionName.START_INSTRUCTION)
    if name == "close":
        dossier_decide(actor=instructor, dossier=draft, name=TransitionName.CLOSE, motivation="Sans suite.")
    assert list(draft.acts.values_list("kind", flat=True)) == ["receipt"]
