"""Sending filed dossiers to another administration through HubEE (docs/decisions/0035-hubee-sending.md):
the follow-up chain of the submission (its « exchanges » step, after the receipt is issued) makes a
folder with one case for the recipient (SIRET and branch code), the dossier's files and its acts as
attachments, uploads each with its SHA-256, then completes the folder. Each stage is kept on the
SentFolder: a retried step goes on where the last attempt stopped, and never completes twice.
The remote case's status is read back by the polling round (remote_status.py)."""

from django.db import transaction
from django.utils import timezone

from guichet.connectors.registry import connector_for
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.documents.models import Act, ActStatus
from guichet.documents.services import act_attachment
from guichet.dossiers.files import answer_file_items
from guichet.dossiers.models import Dossier, DossierFile, TransitionLog, TransitionName

from .credentials import transmission_credentials
from .models import CaseStatus, HubeeTransmission, SentFolder


def _pieces(dossier: Dossier) -> list[tuple[dict, dict]]:
    """(HubEE attachment description, reference) for each file of the answers and each issued act."""
    keys = [str(item.get("key")) for item in answer_file_items(dossier.answers)]
    pieces = []
    for stored in DossierFile.objects.filter(dossier=dossier, key__in=keys).order_by("pk"):
        description = {
            "fileName": stored.name[:255],
            "type": "PIECE_JOINTE",
            "size": stored.size,
            "mimeType": stored.content_type,
        }
        pieces.append((description, {"file": str(stored.key)}))
    for act in Act.objects.filter(dossier=dossier, status=ActStatus.ISSUED).order_by("pk"):
        with act.pdf.open("rb") as pdf:
            size = len(pdf.read())
        description = {
            "fileName": act.file_name[:255],
            "type": f"ACTE_{act.kind.upper()}",
            "size": size,
            "mimeType": "application/pdf",
        }
        pieces.append((description, {"act": act.pk}))
    return pieces


def _content(reference: dict) -> bytes:
    if "file" in reference:
        stored = DossierFile.objects.get(key=reference["file"])
        with stored.content.open("rb") as handle:
            return handle.read()
    return act_attachment(Act.objects.get(pk=reference["act"]))[1]


def _folder_body(dossier: Dossier, transmission: HubeeTransmission, pieces: list[tuple[dict, dict]]) -> dict:
    external_id = f"GUICHET-{dossier.number}"[:30]
    case_external_id = f"{external_id}-01"
    identity = dossier.identity or {}
    return {
        "processCode": transmission.process_code,
        "externalId": external_id,
        "applicant": {
            "firstName": identity.get("given_name") or dossier.applicant.first_name or "-",
            "lastName": identity.get("family_name") or dossier.applicant.last_name or "-",
            "email": identity.get("email") or dossier.applicant.email,
        },
        "cases": [
            {
                "externalId": case_external_id,
                "recipient": {
                    "type": "SI",
                    "companyRegister": transmission.recipient_siret,
                    "branchCode": transmission.recipient_branch_code,
                },
            }
        ],
        "attachments": [{**description, "recipients": [case_external_id]} for description, _ in pieces],
    }


def dossier_transmit(*, log: TransitionLog) -> dict:
    """Send the dossier just filed (`log` is its submission) to the procedure's recipient, when the
    procedure transmits through HubEE; goes on from where an earlier attempt stopped. Raises
    ConnectorError when HubEE cannot take it now (the chain tries again)."""
    if log.transition != TransitionName.SUBMIT:
        return {}
    dossier = log.dossier
    transmission = HubeeTransmission.objects.filter(procedure_id=dossier.procedure_id, active=True).first()
    sent = SentFolder.objects.filter(dossier=dossier).first()
    if transmission is None and sent is None:
        return {}
    transmission = sent.transmission if sent is not None else transmission
    connector = connector_for("data_exchange")
    credentials = transmission_credentials(transmission)
    if sent is None:
        pieces = _pieces(dossier)
        folder = connector.folder_create(credentials=credentials, folder=_folder_body(dossier, transmission, pieces))
        given = folder.get("attachments") or []
        sent = SentFolder.objects.create(
            dossier=dossier,
            transmission=transmission,
            folder_id=folder["id"],
            case_id=(folder.get("cases") or [{}])[0].get("id", ""),
            attachments={item["id"]: reference for item, (_, reference) in zip(given, pieces, strict=True)},
        )
    for attachment_id, reference in sent.attachments.items():
        if reference.get("uploaded"):
            continue
        connector.folder_attachment_upload(
            credentials=credentials, folder_id=sent.folder_id, attachment_id=attachment_id, content=_content(reference)
        )
        reference["uploaded"] = True
        SentFolder.objects.filter(pk=sent.pk).update(attachments=sent.attachments)
    if sent.completed_at is None:
        connector.folder_complete(credentials=credentials, folder_id=sent.folder_id)
        with transaction.atomic():
            now = timezone.now()
            SentFolder.objects.filter(pk=sent.pk).update(
                completed_at=now, remote_status=CaseStatus.HUBEE_NOTIFIED, remote_status_at=now
            )
            audit_record(
                actor=None,
                action=AuditAction.HUBEE_DOSSIER_SEND,
                target=dossier,
                details={
                    "folder": sent.folder_id,
                    "recipient": transmission.recipient_siret,
                    "attachments": len(sent.attachments),
                },
            )
    return {"hubee_folder": sent.folder_id, "attachments": len(sent.attachments)}
