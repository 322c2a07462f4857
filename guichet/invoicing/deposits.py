"""Depositing invoices on Chorus Pro and following them until paid or rejected, in rounds of the
worker (`manage.py invoices_follow`, every minute in `serve`). Each invoice moves one step per
round: deposit (ISSUED → DEPOSITED), the deposit's report (→ AVAILABLE, or REJECTED with Chorus
Pro's reasons), then its status (→ PAID, or REJECTED with the company's reason).

What makes it safe to kill the worker at any moment (docs/decisions/0041-chorus-pro-deposit.md):
- an invoice is taken by one worker at a time: its `next_attempt_at` is moved forward by a
  conditional UPDATE (a lease);
- `deposit_started_at` is written before the deposit leaves and cleared only when nothing can have
  been received: a deposit whose answer was lost is never made again by itself, it waits for a
  person who checks Chorus Pro (`invoice_deposit_retry`). Never two deposits of one invoice;
- what may pass (no connection, 502/503/504, a token refused) is retried with exponential backoff.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from guichet.connectors.base import (
    ConnectorError,
    ConnectorNotConfigured,
    ConnectorOutcomeUnknown,
    ConnectorRejected,
    ConnectorUnavailable,
    FlowState,
    InvoicingConnector,
)
from guichet.connectors.registry import connector_for
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.retries import RetryPolicy, claim, due_ids

from .hooks import invoice_needs_attention
from .models import ALERT_CODES, Invoice, InvoiceKind, InvoiceStatus

LEASE = timedelta(minutes=5)
RETRIES = RetryPolicy(first=timedelta(minutes=1), last=timedelta(hours=6))
POLL_REPORT = timedelta(minutes=5)  # Chorus Pro integrates a deposit within minutes
POLL_STATUS = timedelta(hours=6)  # a company pays within days or weeks
PAID_CODES = frozenset({"MANDATEE", "MISE_EN_PAIEMENT", "COMPTABILISEE"})
REJECTED_CODES = frozenset({"REJETEE"})
UNKNOWN_OUTCOME = (
    "Le dépôt a peut-être été reçu par Chorus Pro sans que sa réponse nous parvienne. Vérifiez dans "
    "Chorus Pro si la facture y figure avant de relancer son dépôt."
)


@dataclass
class FollowReport:
    deposited: int = 0
    available: int = 0
    paid: int = 0
    rejected: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


def invoices_due(*, now: datetime, limit: int) -> list[int]:
    return due_ids(Invoice.objects.filter(status__in=InvoiceStatus.followed()), now=now, limit=limit)


def _claim(invoice_id: int, now: datetime) -> bool:
    return claim(Invoice.objects.filter(status__in=InvoiceStatus.followed()), invoice_id, now=now, lease=LEASE)


def invoices_follow(
    *, batch: int = 50, now: datetime | None = None, connector: InvoicingConnector | None = None
) -> FollowReport:
    """One round of the worker: each due invoice moves one step on with Chorus Pro (or with
    `connector`, the demo's in-process platform, instead of the settings' one)."""
    now = now or timezone.now()
    report = FollowReport()
    due = invoices_due(now=now, limit=batch)
    if not due:
        return report
    try:
        connector = connector or connector_for("invoicing")
    except ConnectorNotConfigured as error:
        report.errors.append(str(error))
        return report
    for invoice_id in due:
        if not _claim(invoice_id, now):
            continue
        invoice = Invoice.objects.select_related("dossier").get(pk=invoice_id)
        try:
            status = _step(invoice, connector)
        except ConnectorError as error:
            report.errors.append(f"{invoice.number} : {error}")
            continue
        if status == InvoiceStatus.DEPOSITED:
            report.deposited += 1
        elif status == InvoiceStatus.PAID:
            report.paid += 1
        elif status == InvoiceStatus.REJECTED:
            report.rejected += 1
        elif status == InvoiceStatus.AVAILABLE:
            report.available += 1
        else:
            report.waiting += 1
    return report


def _step(invoice: Invoice, connector: InvoicingConnector) -> str:
    if invoice.status == InvoiceStatus.ISSUED:
        return _deposit(invoice, connector)
    try:
        if invoice.status == InvoiceStatus.DEPOSITED:
            return _report(invoice, connector)
        return _progress(invoice, connector)
    except ConnectorUnavailable as error:
        RETRIES.failed(invoice, str(error), retry=True)
        raise
    except ConnectorRejected as error:  # a question Chorus Pro will not answer: asked again later
        RETRIES.failed(invoice, str(error), retry=True)
        raise


def _move(invoice: Invoice, *, status: str, next_attempt: timedelta | None, **fields) -> str:
    """Record the invoice's new state, with an audit event when its status changed."""
    now = timezone.now()
    with transaction.atomic():
        # Only from the status it was read in: an invoice cancelled meanwhile stays cancelled.
        moved = Invoice.objects.filter(pk=invoice.pk, status=invoice.status).update(
            status=status,
            next_attempt_at=now + next_attempt if next_attempt is not None else None,
            attempts=0,
            last_error="",
            **({"status_at": now} if status != invoice.status else {}),
            **fields,
        )
        if not moved:
            return Invoice.objects.values_list("status", flat=True).get(pk=invoice.pk)
        if (
            status != invoice.status
            or fields.get("platform_status", invoice.platform_status) != invoice.platform_status
        ):
            audit_record(
                actor=None,
                action=AuditAction.INVOICE_DEPOSIT if status == InvoiceStatus.DEPOSITED else AuditAction.INVOICE_STATUS,
                target=invoice.dossier,
                details={
                    "invoice": invoice.number,
                    "status": status,
                    **{k: v for k, v in fields.items() if k != "deposit_started_at"},
                },
            )
        _alert(invoice, fields.get("platform_status", ""), fields.get("platform_comment", ""))
    return status


def _alert(invoice: Invoice, code: str, comment: str) -> None:
    """Tell the instructors, once, that the company waits for the organisation (sent back or
    held), in the transaction that records the status: never twice while it stays in that status,
    none lost; once it has left it, a new send-back is told again."""
    if code not in ALERT_CODES:
        if code and invoice.alerted_status:
            Invoice.objects.filter(pk=invoice.pk).update(alerted_status="")
        return
    if code == invoice.alerted_status:
        return
    Invoice.objects.filter(pk=invoice.pk).update(alerted_status=code)
    noun = "la facture" if invoice.kind == InvoiceKind.INVOICE else "l’avoir"
    verb = "renvoie" if code == "A_RECYCLER" else "suspend"
    text = f"Chorus Pro : l’entreprise {verb} {noun} n° {invoice.number}"
    text += f" ({'à recycler' if code == 'A_RECYCLER' else 'complément demandé'})"
    text += f" : {comment}" if comment else "."
    audit_record(
        actor=None,
        action=AuditAction.INVOICE_ALERT,
        target=invoice.dossier,
        details={"invoice": invoice.number, "platform_status": code},
    )
    invoice_needs_attention.send(invoice=invoice, text=text)


def _deposit(invoice: Invoice, connector: InvoicingConnector) -> str:
    if invoice.deposit_started_at:
        RETRIES.failed(invoice, UNKNOWN_OUTCOME, retry=False)
        raise ConnectorOutcomeUnknown(UNKNOWN_OUTCOME)
    # Written before the deposit leaves: from here on, only a certain « nothing was received »
    # clears it. One worker only finds it empty.
    started = Invoice.objects.filter(pk=invoice.pk, status=InvoiceStatus.ISSUED, deposit_started_at__isnull=True)
    if not started.update(deposit_started_at=timezone.now()):
        current = Invoice.objects.values_list("status", flat=True).get(pk=invoice.pk)
        if current != InvoiceStatus.ISSUED:
            return current  # cancelled by a credit note meanwhile: nothing to deposit
        raise ConnectorUnavailable(f"{invoice.number} : un autre processus la dépose déjà.")
    with invoice.pdf.open("rb") as stored:
        pdf = stored.read()
    try:
        flow_number = connector.deposit(pdf=pdf, file_name=f"{invoice.number}.pdf")
    except ConnectorOutcomeUnknown as error:
        RETRIES.failed(invoice, f"{error}. {UNKNOWN_OUTCOME}", retry=False)
        raise
    except ConnectorUnavailable as error:
        Invoice.objects.filter(pk=invoice.pk).update(deposit_started_at=None)
        RETRIES.failed(invoice, str(error), retry=True)
        raise
    except ConnectorRejected as error:
        return _move(invoice, status=InvoiceStatus.REJECTED, next_attempt=None, rejection_reasons=[str(error)])
    return _move(invoice, status=InvoiceStatus.DEPOSITED, next_attempt=POLL_REPORT, flow_number=flow_number)


def _report(invoice: Invoice, connector: InvoicingConnector) -> str:
    report = connector.flow_report(invoice.flow_number)
    if report.state == FlowState.PENDING:
        Invoice.objects.filter(pk=invoice.pk).update(next_attempt_at=timezone.now() + POLL_REPORT)
        return InvoiceStatus.DEPOSITED
    if report.state == FlowState.REJECTED:
        reasons = list(report.reasons) or ["Chorus Pro a rejeté le dépôt sans en donner le motif."]
        return _move(
            invoice,
            status=InvoiceStatus.REJECTED,
            next_attempt=None,
            platform_status=report.code,
            rejection_reasons=reasons,
        )
    # Integrated: its status is asked for right away, at the next round.
    return _move(invoice, status=InvoiceStatus.AVAILABLE, next_attempt=timedelta(0), platform_status=report.code)


def _progress(invoice: Invoice, connector: InvoicingConnector) -> str:
    progress = connector.invoice_progress(flow_number=invoice.flow_number, invoice_id=invoice.platform_invoice_id)
    if progress is None:
        Invoice.objects.filter(pk=invoice.pk).update(next_attempt_at=timezone.now() + POLL_REPORT)
        return InvoiceStatus.AVAILABLE
    fields = {"platform_invoice_id": progress.invoice_id, "platform_status": progress.status}
    fields["platform_comment"] = " ".join(progress.reasons) if progress.status in ALERT_CODES else ""
    if progress.status in REJECTED_CODES:
        reasons = list(progress.reasons) or ["L’entreprise a rejeté la facture sans en donner le motif."]
        return _move(invoice, status=InvoiceStatus.REJECTED, next_attempt=None, rejection_reasons=reasons, **fields)
    if progress.status in PAID_CODES and invoice.kind == InvoiceKind.INVOICE:
        return _move(invoice, status=InvoiceStatus.PAID, next_attempt=None, **fields)
    # A credit note is done once the company has it; an invoice is followed until it is paid.
    follow = None if invoice.kind == InvoiceKind.CREDIT_NOTE else POLL_STATUS
    return _move(invoice, status=InvoiceStatus.AVAILABLE, next_attempt=follow, **fields)
