"""Messages on a filed dossier between its applicant and its instructors; the other side is told
(the instructors by their notices, the applicant by email)."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from guichet.core.emails import email_send_on_commit
from guichet.dossiers.actors import Actor, actor_user
from guichet.dossiers.files import dossier_file_store
from guichet.dossiers.messages import message_record
from guichet.dossiers.models import Dossier, DossierState, Message
from guichet.dossiers.selectors import instructor_can_act_on
from guichet.webhooks.emission import message_received_emit

from .notifications import Kind, instructors_notify

# The most files one message carries (the API's multipart messages; the screens send one).
MESSAGE_ATTACHMENTS_MAX = 10


@transaction.atomic
def message_send(*, actor: Actor, dossier: Dossier, body: str, attachments: Sequence[UploadedFile] = ()) -> Message:
    """A message on a filed dossier, from its applicant to its instructors or the other way round
    (from a person, or from software acting as the instructors through the API), with its files
    (at most MESSAGE_ATTACHMENTS_MAX), each checked like any upload: one refused (UploadRefused)
    and nothing is sent. The other side is told by email."""
    if dossier.state == DossierState.DRAFT:
        raise ValidationError("Les messages s’échangent une fois le dossier déposé.")
    if actor_user(actor) is not None and dossier.applicant_id == actor.pk:
        role = Message.AuthorRole.APPLICANT
    elif instructor_can_act_on(actor, dossier):
        role = Message.AuthorRole.INSTRUCTOR
    else:
        raise PermissionDenied("Vous ne pouvez pas écrire sur ce dossier.")
    body = body.strip()
    if not body:
        raise ValidationError("Écrivez votre message.")
    if len(attachments) > MESSAGE_ATTACHMENTS_MAX:
        raise ValidationError(f"Joignez au plus {MESSAGE_ATTACHMENTS_MAX} fichiers à un message.")
    stored = [dossier_file_store(actor=actor, dossier=dossier, uploaded=uploaded) for uploaded in attachments]
    message = message_record(actor=actor, dossier=dossier, role=role, body=body, files=stored)
    # In the message's transaction: the webhook message commits with it, or neither does.
    message_received_emit(message=message)
    if role == Message.AuthorRole.APPLICANT:
        applicant_message_told(message=message)
    else:
        context = {"dossier": dossier, "procedure": dossier.procedure}
        email_send_on_commit(name="instruction/message_to_applicant", context=context, to=[dossier.applicant.email])
    return message


def applicant_message_told(*, message: Message) -> None:
    """Tell the dossier's instructors of a message from its applicant, in the message's transaction:
    one written here, or one that the applicant's online service added to a case received through
    HubEE (exchanges.hooks.received_message_written)."""
    dossier = message.dossier
    instructors_notify(
        dossier=dossier,
        kind=Kind.MESSAGE,
        text=f"Nouveau message de l’usager sur le dossier n°{dossier.number} ({dossier.procedure.title})",
    )
