"""Ways out of a credit note or an invoice that Chorus Pro or the company sends back
(docs/decisions/0054-rejected-credit-notes-and-alerts.md):
- a credit note whose *deposit* was rejected (Chorus Pro made no document of it) may go again as
  it is, once the cause outside it is fixed (the company's structure or service activated);
- a rejected credit note (its deposit, or by the company) may be replaced by a new credit note of
  the same invoice, with the buyer's service code and commitment number corrected: its document is
  sealed, so a correction is a new number in the series; the old one stays, « remplacé », without
  effect. Never two live credit notes for one invoice (a database constraint);
- an invoice the buyer sends back (A_RECYCLER) is recycled on Chorus Pro's portal by a person
  (no API call for it in our reference), who records here the recipient set there."""

from dataclasses import replace
from datetime import date

from django.db import transaction
from django.utils import timezone

from guichet.core.audit import audit_record
from guichet.core.clock import today
from guichet.core.models import AuditAction

from .amounts import InvoiceInvalid
from .models import Invoice, InvoiceStatus
from .services import credit_note_issue, invoice_customer


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().select_related("dossier__procedure__organisation").get(pk=invoice.pk)


def credit_note_redeposit(*, credit_note: Invoice, actor) -> Invoice:
    """Deposit again, as it is, a credit note whose deposit Chorus Pro rejected (it never made a
    document of it, so nothing can be doubled): the worker's next round deposits it."""
    with transaction.atomic():
        credit_note = _locked(credit_note)
        if not credit_note.can_be_redeposited:
            raise InvoiceInvalid(
                f"L’avoir n° {credit_note.number} ne peut pas être déposé à nouveau : seul un avoir dont "
                "Chorus Pro a rejeté le dépôt peut l’être. Remplacez-le par un nouvel avoir."
            )
        reasons = list(credit_note.rejection_reasons)
        Invoice.objects.filter(pk=credit_note.pk).update(
            status=InvoiceStatus.ISSUED,
            status_at=timezone.now(),
            next_attempt_at=timezone.now(),
            deposit_started_at=None,
            flow_number="",
            platform_status="",
            rejection_reasons=[],
            attempts=0,
            last_error="",
        )
        audit_record(
            actor=actor,
            action=AuditAction.INVOICE_REDEPOSIT,
            target=credit_note.dossier,
            details={"invoice": credit_note.number, "rejection_reasons": reasons},
        )
        credit_note.refresh_from_db()
    return credit_note


def credit_note_replace(
    *, credit_note: Invoice, actor, service_code: str, order_number: str, issue_date: date | None = None
) -> Invoice:
    """Replace a rejected credit note by a new one of the same invoice and lines, with the buyer's
    service code (BT-10) and commitment number (BT-13) given; the new one is deposited, the old one
    is « remplacé » (its number kept in the series, without effect in the books)."""
    issue_date = issue_date or today()
    with transaction.atomic():
        credit_note = _locked(credit_note)
        if not credit_note.can_be_replaced:
            raise InvoiceInvalid(f"L’avoir n° {credit_note.number} n’est pas rejeté : il ne peut pas être remplacé.")
        invoice = _locked(credit_note.credited_invoice)
        # First, so that the one live credit note allowed per invoice is the new one.
        Invoice.objects.filter(pk=credit_note.pk).update(
            status=InvoiceStatus.REPLACED, status_at=timezone.now(), next_attempt_at=None
        )
        customer = replace(
            invoice_customer(invoice), service_code=service_code.strip(), order_number=order_number.strip()
        )
        replacement = credit_note_issue(
            invoice=invoice,
            customer=customer,
            actor=actor,
            issue_date=issue_date,
            details={"replaces": credit_note.number},
            replaces=credit_note,
        )
        audit_record(
            actor=actor,
            action=AuditAction.INVOICE_CREDIT_REPLACE,
            target=invoice.dossier,
            details={
                "invoice": credit_note.number,
                "replaced_by": replacement.number,
                "rejection_reasons": list(credit_note.rejection_reasons),
                "service_code": [credit_note.buyer_reference, replacement.buyer_reference],
                "order_number": [credit_note.buyer_order, replacement.buyer_order],
            },
        )
    return replacement


def invoice_reroute_record(*, invoice: Invoice, actor, service_code: str, order_number: str) -> Invoice:
    """Record the recipient a person set on Chorus Pro's portal when recycling an invoice the
    company sent back (A_RECYCLER); its status is asked for again at the worker's next round (a
    later send-back, once it has left « à recycler », alerts the instructors again)."""
    service_code, order_number = service_code.strip(), order_number.strip()
    with transaction.atomic():
        invoice = _locked(invoice)
        if invoice.status != InvoiceStatus.AVAILABLE or invoice.platform_status != "A_RECYCLER":
            raise InvoiceInvalid(f"La facture n° {invoice.number} n’est pas à recycler sur Chorus Pro.")
        if not service_code and not order_number:
            raise InvoiceInvalid("Indiquez le code service ou le numéro d’engagement saisi sur Chorus Pro.")
        Invoice.objects.filter(pk=invoice.pk).update(
            rerouted_reference=service_code,
            rerouted_order=order_number,
            next_attempt_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.INVOICE_REROUTE,
            target=invoice.dossier,
            details={
                "invoice": invoice.number,
                "service_code": [invoice.rerouted_reference or invoice.buyer_reference, service_code],
                "order_number": [invoice.rerouted_order or invoice.buyer_order, order_number],
            },
        )
        invoice.refresh_from_db()
    return invoice
