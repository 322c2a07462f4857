"""What the sender of a received case adds to it afterwards (docs/decisions/0034-hubee-receiving.md,
« Later events »): the applicant's online service writes a message (SENDING_MESSAGE, COM_ADD) or
deposits files (ATTACH_DEPOSIT) on the case, and HubEE notifies us. The event is read, its files
downloaded and checked like any upload, and it becomes ONE message from the dossier's applicant (the
subscription's deposit account), saying that it came through HubEE and who wrote it; the instructors
are told as for any message from an applicant. A ReceivedEvent is written in the message's own
transaction, unique per event: a notification delivered again, or one whose acknowledgement failed,
finds it and writes nothing more. A file that the checks refuse does not hold the rest back: the
message says which one and why. An event whose files are not all on HubEE yet (or that the antivirus
cannot check now) waits for the next round (EventNotReady). Events that are ours, or that carry
nothing, are only acknowledged."""

from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from guichet.connectors.base import ConnectorError, ScanTooLarge
from guichet.connectors.data_exchange import DataExchangeConnector
from guichet.connectors.hubee.client import HubeeCredentials, HubeeNotFound
from guichet.core.uploads import UploadRefused, upload_size_check
from guichet.dossiers.files import dossier_file_keep
from guichet.dossiers.messages import message_record
from guichet.dossiers.models import DossierFile, Message
from guichet.webhooks.emission import message_received_emit

from .credentials import subscription_credentials
from .hooks import received_message_written
from .models import ReceivedCase, ReceivedEvent

# The events whose message and files the sender means for the instructing service (Swagger
# api_folder_v1.2.7, Event.actionType); ATTACH_DL and ATTACH_DL_ALL only say that files were read.
CARRIED_ACTIONS = ("SENDING_MESSAGE", "COM_ADD", "ATTACH_DEPOSIT")
# What HubEE says of an attachment whose binary it did not keep (Attachment.status).
LOST_STATUSES = {"CORRUPTED": "reçu altéré par HubEE", "REJECTED": "refusé par HubEE"}


class EventNotReady(Exception):
    """The event's files cannot all be read or checked now: its notification stays for the next round."""


@dataclass
class _Files:
    kept: list[DossierFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why, in French, naming the file


def _carries(event: dict) -> bool:
    """Whether the event brings the instructors something: the sender's message or files (ours, the
    statuses and acts we sent, come back to nobody)."""
    if (event.get("transmitter") or {}).get("type") == "SI" or event.get("actionType") not in CARRIED_ACTIONS:
        return False
    return bool(
        (event.get("message") or "").strip() or (event.get("comment") or "").strip() or event.get("attachments")
    )


def _too_large(name: str, attachment: dict) -> str:
    """Why a file is refused from its description, before it is read: above the uploads' limit, it
    would be read whole into memory for nothing (once read, its content is checked again, should
    the size given be wrong)."""
    size = attachment.get("size")
    if not isinstance(size, int):
        return ""
    try:
        upload_size_check(name, size)
    except UploadRefused as refused:
        return str(refused.messages[0])
    return ""


def _downloads(
    connector: DataExchangeConnector, credentials: HubeeCredentials, case_id: str, event: dict
) -> tuple[list[tuple[dict, bytes]], list[str]]:
    """The event's files that HubEE holds, and why the others are missing (lost by HubEE, or larger
    than an upload may be); EventNotReady while one is still being uploaded."""
    downloads, missing = [], []
    for attachment in event.get("attachments") or []:
        name = attachment.get("fileName") or "pièce"
        status = attachment.get("status") or "RECEIVED"
        if status in LOST_STATUSES:
            missing.append(f"Le fichier « {name} » n’a pas été joint : {LOST_STATUSES[status]}.")
            continue
        if status != "RECEIVED":
            raise EventNotReady(f"le fichier « {name} » n’est pas encore déposé sur HubEE ({status})")
        if refusal := _too_large(name, attachment):
            missing.append(refusal)
            continue
        try:
            content = connector.event_attachment(
                credentials=credentials, case_id=case_id, event_id=event["id"], attachment_id=attachment["id"]
            )
        except HubeeNotFound as error:  # « File is not found »: described, not uploaded yet
            raise EventNotReady(f"le fichier « {name} » n’est pas encore sur HubEE") from error
        downloads.append((attachment, content))
    return downloads, missing


def _files_keep(received: ReceivedCase, downloads: list[tuple[dict, bytes]], files: _Files) -> None:
    """Each file checked like any upload (type by content, size, PDF inspection, antivirus)."""
    dossier = received.dossier
    for attachment, content in downloads:
        name = attachment.get("fileName") or attachment.get("type") or "pièce"
        uploaded = SimpleUploadedFile(name, content, attachment.get("mimeType") or "")
        try:
            files.kept.append(dossier_file_keep(actor=dossier.applicant, dossier=dossier, uploaded=uploaded))
        except UploadRefused as refused:
            cause = refused.__cause__
            if isinstance(cause, ConnectorError) and not isinstance(cause, ScanTooLarge):
                # The antivirus cannot answer now: the same file will be checked at the next round.
                raise EventNotReady(str(refused.messages[0])) from refused
            files.refused.append(str(refused.messages[0]))


def _body(event: dict, files: _Files) -> str:
    author = (event.get("author") or "").strip()
    lines = [
        "Message transmis par HubEE depuis le service en ligne de l’usager"
        + (f" (auteur : {author})" if author else "")
        + " :"
    ]
    message, comment = (event.get("message") or "").strip(), (event.get("comment") or "").strip()
    if message:
        lines += ["", message]
    if comment:
        lines += ["", f"Commentaire à l’intention du service instructeur : {comment}"]
    if files.kept:
        lines += ["", f"Fichier(s) joint(s) : {len(files.kept)}."]
    if files.refused:
        lines += ["", *files.refused]
    return "\n".join(lines)


def _message_write(received: ReceivedCase, event: dict, files: _Files, downloads: list) -> Message | None:
    """The message and its ReceivedEvent, in one transaction; None when another round wrote it first."""
    try:
        with transaction.atomic():
            _files_keep(received, downloads, files)
            dossier = received.dossier
            message = message_record(
                actor=dossier.applicant,
                dossier=dossier,
                role=Message.AuthorRole.APPLICANT,
                body=_body(event, files),
                files=files.kept,
            )
            ReceivedEvent.objects.create(
                case=received,
                event_id=event["id"],
                action_type=event.get("actionType") or "",
                message=message,
                refused=files.refused,
            )
            message_received_emit(message=message)
            received_message_written.send(message=message)
    except IntegrityError:  # another round, on another node, wrote it meanwhile
        if ReceivedEvent.objects.filter(case=received, event_id=event["id"]).exists():
            return None
        raise
    return message


def received_event_take(*, connector: DataExchangeConnector, received: ReceivedCase, event_id: str) -> Message | None:
    """Take the event `event_id` of the received case into account, then acknowledge it (RECEIVED):
    the message it became (None when it carried nothing for us, or was taken before). EventNotReady
    leaves it unacknowledged; ConnectorError when HubEE cannot be read or told now."""
    credentials = subscription_credentials(received.subscription)
    message = None
    taken = ReceivedEvent.objects.filter(case=received, event_id=event_id).exists()
    if received.dossier_id is not None and not taken:
        event = connector.event(credentials=credentials, case_id=received.case_id, event_id=event_id)
        if _carries(event):
            downloads, missing = _downloads(connector, credentials, received.case_id, event)
            message = _message_write(received, event, _Files(refused=missing), downloads)
    connector.event_acknowledge(credentials=credentials, case_id=received.case_id, event_id=event_id)
    return message
