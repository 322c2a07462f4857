"""The one way to write an email: a pair of templates per email, `emails/<name>.subject.txt` and
`emails/<name>.body.txt` (in the templates folder of the app that owns it), rendered by
`email_render`. Emails leave from the worker: `email_send_on_commit` enqueues one after the caller's
transaction commits, and the task tries again with backoff when the mail server fails. The
follow-up chain (instruction/followup.py) renders and delivers its emails itself, as retried steps."""

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from .task_queue import task_enqueue_after_commit

logger = logging.getLogger(__name__)

Attachment = tuple[str, bytes, str]  # file name, content, type


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def email_render(name: str, context: dict[str, Any]) -> Email:
    """Render the email `name`: its subject (one line, however the template wraps it) and its
    body. Every template gets `platform_name` and `site_url`."""
    context = {"platform_name": settings.GUICHET_PLATFORM_NAME, "site_url": settings.GUICHET_SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}.subject.txt", context).split())
    body = render_to_string(f"emails/{name}.body.txt", context).strip() + "\n"
    return Email(subject=subject, body=body)


def email_deliver(
    *, email: Email, to: list[str], attachments: Iterable[Attachment] = (), message_id: str | None = None
) -> int:
    """Send one email now (from the worker), with its attachments. `message_id`, when given, is the
    same for every attempt to send this email (the follow-up step's): one sent again after a worker
    died between its sending and its record carries the same Message-ID, which mail servers and
    clients take for a duplicate (decision 0057)."""
    headers = {"Message-ID": message_id} if message_id else None
    message = EmailMultiAlternatives(subject=email.subject, body=email.body, to=to, headers=headers)
    for name, content, content_type in attachments:
        message.attach(name, content, content_type)
    return message.send()


def email_send_on_commit(*, name: str, context: dict[str, Any], to: list[str]) -> None:
    """Render the email `name` now (the context may hold model instances) and have the worker send
    it once the caller's transaction commits; nothing leaves for a transaction that rolled back."""
    recipients = [address for address in to if address]
    if not recipients:
        return
    email = email_render(name, context)
    task_enqueue_after_commit(email_send, subject=email.subject, body=email.body, to=recipients)


# When the mail server fails: tried again after 1, 5 and 15 minutes, then every hour, 8 times in all.
EMAIL_RETRY_DELAYS = (60, 300, 900, 3600, 3600, 3600, 3600)
# What a mail server that fails raises (a refused or lost connection is an OSError).
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


def retry_at(attempt: int, delays: tuple[int, ...] = EMAIL_RETRY_DELAYS) -> datetime | None:
    """When to try again after the `attempt`-th failure, following `delays` (None: give up)."""
    if attempt > len(delays):
        return None
    return timezone.now() + timedelta(seconds=delays[attempt - 1])


@task(queue_name="emails")
def email_send(*, subject: str, body: str, to: list[str], attempt: int = 1) -> int:
    """Send one email from the worker, so that a slow mail server never slows a page down. When the
    server fails, the task enqueues itself again for later (EMAIL_RETRY_DELAYS), then gives up
    with an error in the log."""
    try:
        return email_deliver(email=Email(subject=subject, body=body), to=to)
    except DELIVERY_ERRORS:
        when = retry_at(attempt)
        if when is None:
            logger.exception("Courriel « %s » abandonné après %s tentatives", subject, attempt)
            raise
        logger.warning("Courriel « %s » : serveur en échec, nouvel essai à %s", subject, when, exc_info=True)
        later = email_send.using(run_after=when) if email_send.get_backend().supports_defer else email_send
        later.enqueue(subject=subject, body=body, to=to, attempt=attempt + 1)
        return 0
