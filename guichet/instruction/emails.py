"""Emails about the instruction of dossiers, written and sent by the worker."""

from django.conf import settings
from django.template.loader import render_to_string
from django_tasks import task

from guichet.core.tasks import email_send

from .models import TransitionLog


@task(queue_name="emails")
def dossier_state_email(*, transition_id: int) -> int:
    """The applicant told of what an instructor (or the platform, at a deadline) decided or did on
    their dossier, with the motivation given."""
    log = TransitionLog.objects.select_related("dossier__procedure", "dossier__applicant").get(pk=transition_id)
    dossier, procedure = log.dossier, log.dossier.procedure
    context = {
        "dossier": dossier,
        "procedure": procedure,
        "log": log,
        "platform_name": settings.GUICHET_PLATFORM_NAME,
    }
    body = render_to_string("usager/emails/state_changed.txt", context)
    subject = f"{procedure.title} : votre dossier n°{dossier.number} — {log.get_to_state_display().lower()}"
    return email_send.call(subject=subject, body=body, to=[dossier.applicant.email])
