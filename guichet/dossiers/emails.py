"""Emails about dossiers that the worker writes and sends, so that their rendering costs the page
that triggered them nothing."""

from django.conf import settings
from django.template.loader import render_to_string
from django_tasks import task

from guichet.core.tasks import email_deliver
from guichet.documents.models import Act, ActStatus
from guichet.documents.tasks import act_attachment
from guichet.instruction.notifications import Kind, instructors_notify

from .models import Dossier


@task(queue_name="emails")
def dossier_submitted_notify(*, dossier_id: int, act_id: int | None = None) -> int:
    """The applicant's confirmation that their dossier is filed, with its number and the sealed
    receipt (`act_id`, documents app) attached; the instructors of its group are told of a new
    dossier."""

    dossier = Dossier.objects.select_related("procedure", "applicant").get(pk=dossier_id)
    instructors_notify(
        dossier=dossier, kind=Kind.NEW_DOSSIER, text=f"Nouveau dossier n°{dossier.number} ({dossier.procedure.title})"
    )
    procedure = dossier.procedure
    act = Act.objects.filter(pk=act_id, dossier=dossier, status=ActStatus.ISSUED).first() if act_id else None
    context = {
        "dossier": dossier,
        "procedure": procedure,
        "platform_name": settings.GUICHET_PLATFORM_NAME,
        "act": act,
    }
    body = render_to_string("usager/emails/submitted.txt", context)
    subject = f"{procedure.title} : votre dossier n°{dossier.number} est déposé"
    attachments = [act_attachment(act)] if act is not None else []
    return email_deliver(subject=subject, body=body, to=[dossier.applicant.email], attachments=attachments)
