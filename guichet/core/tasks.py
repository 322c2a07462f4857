from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task(queue_name="emails")
def email_send(*, subject: str, body: str, to: list[str], html_body: str = "") -> int:
    """Send one email from the worker, so that a slow mail server never slows a page down."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
