"""Emails about the instruction of dossiers, written and sent by the worker."""

from django.conf import settings
from django.template.loader import render_to_string
from django_tasks import task

from guichet.core.tasks import email_deliver
from guichet.documents.models import Act, ActStatus
from guichet.documents.tasks import act_attachment

from .models import TransitionLog


@task(queue_name="emails")
def dossier_state_email(*, transition_id: int, act_id: int | None = None) -> int:
    """The applicant told of what an instructor (or the platform, at a deadline) decided or did on
    their dossier, with the motivation given, and the sealed act of the decision attached (`act_id`,
    documents app)."""

    log = TransitionLog.objects.select_related("dossier__procedure", "dossier__applicant").get(pk=transition_id)
    dossier, procedure = log.dossier, log.dossier.procedure
    context = {
        "dossier": dossier,
        "procedure": procedure,
        "log": log,
        "platform_name": settings.GUICHET_PLATFORM_NAME,
        "act": Act.objects.filter(pk=act_id, dossier=dossier, status=ActStatus.ISSUED).first() if act_id else None,
    }
    body = render_to_string("usager/emails/state_changed.txt", context)
    subject = f"{procedure.title} : votre dossier n°{dossier.number} — {log.get_to_state_display().lower()}"
    attachments = [act_attachment(context["act"])] if context["act"] is not None else []
    return email_deliver(subject=subject, body=body, to=[dossier.applicant.email], attachments=attachments)
