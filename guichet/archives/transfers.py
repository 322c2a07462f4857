"""Transfers to the archival system, run in batches by the worker: each dossier whose final fate
asks for it gets one transfer, which goes through three steps that each survive a crash — build and
check the package, hand it over (`deposit`), then follow it until the archival system's reply
(ArchiveTransferReply) says OK, WARNING or KO.

What makes it safe to kill the worker at any moment (docs/decisions, « archives »):
- a transfer's steps are recorded one by one, each in its own transaction, and a transfer is taken by
  one worker at a time through a lease (`next_attempt_at` moved forward by a conditional UPDATE);
- the package is rebuilt byte for byte the same when a step is repeated (its name and dates come from
  the transfer), so a repeated deposit to an idempotent target (a folder) is harmless;
- a deposit that may have reached an archival system that is not idempotent (Vitam) while its answer
  was lost is never repeated blindly: the transfer waits for an archivist, who checks in Vitam and
  starts it again (`archive_transfer_retry`);
- network failures and unavailability are retried with exponential backoff; a KO is never retried by
  itself: its reason is kept for the archivist.
"""

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from guichet.connectors.base import (
    ArchiveReplyCode,
    ArchiveTransferConnector,
    ConnectorError,
    ConnectorNotConfigured,
    ConnectorOutcomeUnknown,
    ConnectorRejected,
    ConnectorUnavailable,
)
from guichet.connectors.registry import connector_for
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.retries import RetryPolicy, claim, due_ids
from guichet.dossiers.models import DossierState

from .models import ArchivalState, ArchiveTransfer, DossierRetention, TransferStatus
from .packages import PackageInvalid, package_check, package_name, package_write
from .retention import retention_move

logger = logging.getLogger(__name__)


def _lease() -> timedelta:
    """How long a worker holds a transfer it took (GUICHET_ARCHIVE_TRANSFER_LEASE_SECONDS)."""
    return timedelta(seconds=settings.GUICHET_ARCHIVE_TRANSFER_LEASE_SECONDS)


RETRIES = RetryPolicy(first=timedelta(minutes=1), last=timedelta(hours=6))
POLL_EVERY = timedelta(seconds=30)


@dataclass
class TransfersReport:
    created: int = 0
    sent: int = 0
    accepted: int = 0
    refused: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


def transfer_work_dir() -> Path:
    """Where packages wait between their building and the archival system's acknowledgement."""
    path = Path(settings.GUICHET_ARCHIVE_WORK_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _package_path(transfer: ArchiveTransfer) -> Path:
    return transfer_work_dir() / f"{transfer.sip_name}.zip"


def transfers_create(*, target: str, now: datetime, limit: int = 500) -> int:
    """One pending transfer for each dossier whose DUA ended and whose final fate asks for a
    transfer (and that no litigation hold stops), its retention moved to « versement en cours ».
    The database's constraint keeps a dossier from having two live transfers, whatever runs twice."""
    created = 0
    due = DossierRetention.objects.filter(state=ArchivalState.TO_TRANSFER, litigation_hold=False).select_related(
        "dossier"
    )[:limit]
    for retention in due:
        try:
            with transaction.atomic():
                retention = DossierRetention.objects.select_for_update().get(pk=retention.pk)
                if retention.state != ArchivalState.TO_TRANSFER or retention.litigation_hold:
                    continue
                transfer = ArchiveTransfer.objects.create(dossier=retention.dossier, target=target)
                transfer.sip_name = package_name(retention.dossier, _attempt(transfer))
                transfer.next_attempt_at = now
                transfer.save(update_fields=["sip_name", "next_attempt_at"])
                retention_move(retention=retention, to=ArchivalState.TRANSFERRING)
                audit_record(
                    actor=None,
                    action=AuditAction.ARCHIVE_TRANSFER_CREATE,
                    target=retention.dossier,
                    details={"transfer": transfer.pk, "target": target},
                )
        except IntegrityError:  # another worker made it at the same time
            continue
        created += 1
    return created


def _attempt(transfer: ArchiveTransfer) -> int:
    """Which transfer of its dossier this one is (1 for the first): it numbers the package's name."""
    return ArchiveTransfer.objects.filter(dossier_id=transfer.dossier_id, pk__lte=transfer.pk).count()


def _followed():
    """The transfers a worker still moves on: to hand over, or handed over and awaiting the reply."""
    return ArchiveTransfer.objects.filter(status__in=[TransferStatus.PENDING, TransferStatus.SENT])


def _claim(transfer_id: int, now: datetime) -> bool:
    """Take the transfer for the lease's time, when it is due and no other worker holds it."""
    return claim(_followed(), transfer_id, now=now, lease=_lease())


def transfers_due(*, now: datetime, limit: int) -> list[int]:
    return due_ids(_followed(), now=now, limit=limit)


def transfers_run(*, batch: int = 50, now: datetime | None = None) -> TransfersReport:
    """One round of the worker: create the transfers that are due, then move each due transfer one
    step on (build and hand over, or follow until the reply)."""
    now = now or timezone.now()
    report = TransfersReport()
    if not DossierRetention.objects.filter(state=ArchivalState.TO_TRANSFER).exists() and not transfers_due(
        now=now, limit=1
    ):
        return report
    try:
        connector = connector_for("archive_transfer")
    except ConnectorNotConfigured as error:
        report.errors.append(str(error))
        return report
    report.created = transfers_create(target=connector.name, now=now)
    for transfer_id in transfers_due(now=now, limit=batch):
        if not _claim(transfer_id, now):
            continue
        transfer = ArchiveTransfer.objects.select_related("dossier__procedure__organisation").get(pk=transfer_id)
        try:
            if transfer.status == TransferStatus.PENDING:
                if not _deposit(transfer, connector):
                    continue
                report.sent += 1
            outcome = _follow(transfer, connector)
        except ConnectorError as error:
            report.errors.append(f"{transfer.sip_name} : {error}")
            continue
        if outcome == TransferStatus.ACCEPTED:
            report.accepted += 1
        elif outcome == TransferStatus.REFUSED:
            report.refused += 1
        else:
            report.waiting += 1
    return report


def _deposit(transfer: ArchiveTransfer, connector: ArchiveTransferConnector) -> bool:
    """Build the package (again, identically, after a crash), check it, and hand it over; False
    when the transfer was cancelled instead (a hold, a reopening)."""
    if transfer.sent_at and not connector.deposit_idempotent:
        # A deposit was started and its outcome never recorded: it may have reached the system.
        message = (
            "Le versement a peut-être été reçu par le système d’archivage sans que sa réponse nous "
            "parvienne. Vérifiez dans le système d’archivage s’il y figure avant de le relancer."
        )
        RETRIES.failed(transfer, message, retry=False)
        raise ConnectorOutcomeUnknown(message)
    if _held_back(transfer):
        return False
    path = _package_path(transfer)
    # Written aside, then renamed: a package on the disk is always a whole one.
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        with open(part, "wb") as out:
            package_write(dossier=transfer.dossier, out=out, attempt=_attempt(transfer), now=transfer.created_at)
        info = package_check(part)  # read back from the disk, as it will leave
        os.replace(part, path)
    except PackageInvalid as error:
        part.unlink(missing_ok=True)
        message = f"Le paquet d’archives n’est pas conforme : {error}"
        RETRIES.failed(transfer, message, retry=False)
        raise ConnectorRejected(message) from error
    # The deposit starts for one worker only: the one whose conditional UPDATE finds the transfer as
    # it read it (another, whose lease ran out while it built, finds it changed and gives way).
    unchanged = {"sent_at": transfer.sent_at} if transfer.sent_at else {"sent_at__isnull": True}
    started = ArchiveTransfer.objects.filter(pk=transfer.pk, status=TransferStatus.PENDING, **unchanged)
    if not started.update(sip_sha512=info.sha512, sip_size=info.size, sent_at=timezone.now()):
        if ArchiveTransfer.objects.filter(pk=transfer.pk, status=TransferStatus.CANCELLED).exists():
            return False  # the dossier was reopened meanwhile
        raise ConnectorUnavailable(f"{transfer.sip_name} : un autre processus le verse déjà.")
    transfer.sip_sha512, transfer.sip_size = info.sha512, info.size
    try:
        deposit = connector.deposit(sip=path, sip_name=transfer.sip_name, sha512=info.sha512)
    except ConnectorOutcomeUnknown as error:
        RETRIES.failed(transfer, str(error), retry=connector.deposit_idempotent)
        raise
    except ConnectorUnavailable as error:
        # Nothing was handed over: the next attempt starts afresh.
        ArchiveTransfer.objects.filter(pk=transfer.pk).update(sent_at=None)
        transfer.sent_at = None
        RETRIES.failed(transfer, str(error), retry=True)
        raise
    except ConnectorRejected as error:
        _refused(transfer, message=str(error), reply=b"", code="")
        raise
    with transaction.atomic():
        ArchiveTransfer.objects.filter(pk=transfer.pk).update(
            status=TransferStatus.SENT,
            operation_id=deposit.operation_id,
            next_attempt_at=timezone.now(),
            last_error="",
        )
        audit_record(
            actor=None,
            action=AuditAction.ARCHIVE_TRANSFER_SEND,
            target=transfer.dossier,
            details={"transfer": transfer.pk, "operation": deposit.operation_id, "sha512": info.sha512},
        )
    transfer.status, transfer.operation_id = TransferStatus.SENT, deposit.operation_id
    return True


def _held_back(transfer: ArchiveTransfer) -> bool:
    """A dossier put under litigation hold (or reopened) since its transfer was prepared does not
    leave: the transfer is cancelled and the dossier goes back to « à verser », where the hold keeps it."""
    with transaction.atomic():
        retention = DossierRetention.objects.select_for_update().get(dossier=transfer.dossier_id)
        dossier_finished = transfer.dossier.state in DossierState.finished()
        if not retention.litigation_hold and dossier_finished:
            return False
        ArchiveTransfer.objects.filter(pk=transfer.pk).update(
            status=TransferStatus.CANCELLED,
            next_attempt_at=None,
            last_error="Versement annulé : le dossier est gelé pour contentieux."
            if retention.litigation_hold
            else "Versement annulé : le dossier a été rouvert.",
        )
        if retention.state == ArchivalState.TRANSFERRING:
            retention_move(retention=retention, to=ArchivalState.TO_TRANSFER)
    return True


def _follow(transfer: ArchiveTransfer, connector: ArchiveTransferConnector) -> str:
    """Ask where the transfer is; once done, record the reply. Returns the transfer's status."""
    try:
        progress = connector.status(transfer.operation_id)
        if not progress.done:
            ArchiveTransfer.objects.filter(pk=transfer.pk).update(next_attempt_at=timezone.now() + POLL_EVERY)
            return TransferStatus.SENT
        reply = connector.reply(transfer.operation_id)
    except ConnectorUnavailable as error:
        RETRIES.failed(transfer, str(error), retry=True)
        raise
    except ConnectorRejected as error:
        RETRIES.failed(transfer, str(error), retry=False)
        raise
    atr = (reply.atr_xml or b"").decode("utf-8", errors="replace")
    if reply.code == ArchiveReplyCode.KO:
        _refused(transfer, message=reply.message, reply=atr, code=reply.code)
        return TransferStatus.REFUSED
    with transaction.atomic():
        ArchiveTransfer.objects.filter(pk=transfer.pk).update(
            status=TransferStatus.ACCEPTED,
            reply_code=reply.code,
            reply=atr,
            reply_message=reply.message,
            unit_ids=dict(reply.unit_ids),
            replied_at=timezone.now(),
            next_attempt_at=None,
            last_error="",
        )
        retention = DossierRetention.objects.select_for_update().get(dossier=transfer.dossier_id)
        retention_move(retention=retention, to=ArchivalState.TRANSFERRED)
        audit_record(
            actor=None,
            action=AuditAction.ARCHIVE_TRANSFER_REPLY,
            target=transfer.dossier,
            details={"transfer": transfer.pk, "code": reply.code, "units": len(reply.unit_ids)},
        )
    _package_path(transfer).unlink(missing_ok=True)
    return TransferStatus.ACCEPTED


def _refused(transfer: ArchiveTransfer, *, message: str, reply: str, code: str) -> None:
    """The archival system said no (or the package was refused before it left): kept with its reason
    for the archivist, never tried again by itself."""
    with transaction.atomic():
        ArchiveTransfer.objects.filter(pk=transfer.pk).update(
            status=TransferStatus.REFUSED,
            reply_code=code or ArchiveReplyCode.KO,
            reply=reply,
            reply_message=message,
            replied_at=timezone.now(),
            next_attempt_at=None,
        )
        retention = DossierRetention.objects.select_for_update().get(dossier=transfer.dossier_id)
        retention_move(retention=retention, to=ArchivalState.TRANSFER_REFUSED)
        audit_record(
            actor=None,
            action=AuditAction.ARCHIVE_TRANSFER_REPLY,
            target=transfer.dossier,
            details={"transfer": transfer.pk, "code": code or "KO"},
        )
    _package_path(transfer).unlink(missing_ok=True)


def archive_transfer_resume(*, transfer: ArchiveTransfer, actor) -> ArchiveTransfer:
    """An archivist starts again a transfer that waits for them (its outcome was unknown, or its
    package could not be built): it is built and handed over again at the next round."""
    with transaction.atomic():
        transfer = ArchiveTransfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status not in (TransferStatus.PENDING, TransferStatus.SENT) or transfer.next_attempt_at:
            return transfer
        transfer.next_attempt_at = timezone.now()
        transfer.sent_at = None if transfer.status == TransferStatus.PENDING else transfer.sent_at
        transfer.last_error = ""
        transfer.save(update_fields=["next_attempt_at", "sent_at", "last_error", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.ARCHIVE_TRANSFER_RETRY,
            target=transfer.dossier,
            details={"transfer": transfer.pk},
        )
    return transfer
