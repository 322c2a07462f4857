"""Sending a message from a dossier's page, for applicants and instructors alike."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from guichet.dossiers.models import Dossier
from guichet.instruction.messages import message_send


def message_form_send(request: HttpRequest, dossier: Dossier, form) -> bool:
    """Send what a MessageForm holds; False, with the reason on the form, when it cannot be sent."""
    if not form.is_valid():
        return False
    try:
        message_send(
            actor=request.user,
            dossier=dossier,
            body=form.cleaned_data["body"],
            attachments=[form.cleaned_data["attachment"]] if form.cleaned_data["attachment"] else [],
        )
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        return False
    return True
