"""The worker's part: making acts after the transaction that asked for them has committed, and
the emails that carry them."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from guichet.core.tasks import email_deliver

from .models import Act, ActStatus

logger = logging.getLogger(__name__)


@task()
def act_generate(*, act_id: int) -> str:
    """Make, seal and issue one act (idempotent: an act already issued is left as it is). A failure
    is recorded on the act, tried again later, and never lost (documents/services.py)."""
    from .services import act_generation_failed, act_issue  # noqa: PLC0415

    try:
        return act_issue(act_id=act_id).status
    except Act.DoesNotExist:
        return "missing"
    except Exception as error:
        logger.exception("Génération de l’acte %s impossible", act_id)
        return act_generation_failed(act_id=act_id, error=error).status


def act_attachment(act: Act) -> tuple[str, bytes, str]:
    """An issued act as an email attachment: (file name, content, type)."""
    with act.pdf.open("rb") as stored:
        return act.file_name, stored.read(), "application/pdf"


@task(queue_name="emails")
def act_available_email(*, act_id: int) -> int:
    """An act issued after the email about its dossier had left without it (its generation had
    failed, then succeeded when tried again)."""
    act = Act.objects.select_related("dossier__procedure", "dossier__applicant").get(pk=act_id)
    if act.status != ActStatus.ISSUED:
        return 0
    dossier = act.dossier
    context = {
        "act": act,
        "dossier": dossier,
        "procedure": dossier.procedure,
        "platform_name": settings.GUICHET_PLATFORM_NAME,
        "dossier_url": settings.GUICHET_SITE_URL + reverse("usager:dossier_detail", args=[dossier.pk]),
    }
    body = render_to_string("documents/emails/act_available.txt", context)
    subject = f"{dossier.procedure.title} : {act.get_kind_display().lower()} du dossier n°{dossier.number}"
    return email_deliver(subject=subject, body=body, to=[dossier.applicant.email], attachments=[act_attachment(act)])
