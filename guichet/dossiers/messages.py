"""A message on a filed dossier, as it is written: the message, the files it carries (already kept
through dossier_file_keep), the dossier marked changed for the API's feed, and the audit row. Who may
write and who is told are the callers': instruction.messages for the screens and the API,
exchanges.events for what an applicant's online service adds to a case received through HubEE."""

from collections.abc import Sequence

from django.db import transaction

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction

from .actors import Actor, actor_label, actor_user
from .changes import dossier_changed
from .models import Dossier, DossierFile, Message, MessageAttachment


@transaction.atomic
def message_record(
    *, actor: Actor, dossier: Dossier, role: str, body: str, files: Sequence[DossierFile] = ()
) -> Message:
    """Write a message from `actor`, in `role` (Message.AuthorRole), with `files`; the caller has
    checked that they may write it and tells the other side."""
    message = Message.objects.create(
        dossier=dossier, author=actor_user(actor), author_label=actor_label(actor), author_role=role, body=body
    )
    MessageAttachment.objects.bulk_create([MessageAttachment(message=message, file=file) for file in files])
    dossier_changed(dossier)
    audit_record(
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=AuditAction.DOSSIER_MESSAGE_SEND,
        target=dossier,
        details={"message": message.pk, "role": role, "attachments": [file.pk for file in files]},
    )
    return message
