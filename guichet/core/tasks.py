from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


def email_deliver(
    *, subject: str, body: str, to: list[str], html_body: str = "", attachments: Iterable[tuple[str, bytes, str]] = ()
) -> int:
    """Send one email now, with its attachments as (file name, content, type): for the tasks that
    write an email in the worker already."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    for name, content, content_type in attachments:
        message.attach(name, content, content_type)
    return message.send()


@task(queue_name="emails")
def email_send(*, subject: str, body: str, to: list[str], html_body: str = "") -> int:
    """Send one email from the worker, so that a slow mail server never slows a page down."""
    return email_deliver(subject=subject, body=body, to=to, html_body=html_body)
