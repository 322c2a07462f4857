"""Emails about dossiers that the worker writes and sends, so that their rendering costs the page
that triggered them nothing."""

from django.conf import settings
from django.template.loader import render_to_string
from django_tasks import task

from guichet.core.tasks import email_send
from guichet.instruction.notifications import Kind, instructors_notify

from .models import Dossier


@task(queue_name="emails")
def dossier_submitted_notify(*, dossier_id: int) -> int:
    """The applicant's confirmation that their dossier is filed, with its number; the instructors
    of its group are told of a new dossier."""
    dossier = Dossier.objects.select_related("procedure", "applicant").get(pk=dossier_id)
    instructors_notify(
        dossier=dossier, kind=Kind.NEW_DOSSIER, text=f"Nouveau dossier n°{dossier.number} ({dossier.procedure.title})"
    )
    procedure = dossier.procedure
    context = {"dossier": dossier, "procedure": procedure, "platform_name": settings.GUICHET_PLATFORM_NAME}
    body = render_to_string("usager/emails/submitted.txt", context)
    subject = f"{procedure.title} : votre dossier n°{dossier.number} est déposé"
    return email_send.call(subject=subject, body=body, to=[dossier.applicant.email])
