"""Every write on invoices: issuing one, cancelling one with a credit note, and starting again a
deposit that waits for a person. Following them on Chorus Pro is deposits.py's work."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from guichet.accounts.models import Organisation, validate_siret
from guichet.core.audit import audit_record
from guichet.core.clock import today
from guichet.core.models import AuditAction
from guichet.core.sequences import sequence_next
from guichet.dossiers.models import Dossier

from .amounts import Amounts, InvoiceInvalid, LineLike, amounts_compute
from .document import InvoiceLayout, invoice_pdf
from .facturx import facturx_data, facturx_xml
from .models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, InvoicingSettings

PREFIX = {InvoiceKind.INVOICE: "FAC", InvoiceKind.CREDIT_NOTE: "AV"}


@dataclass(frozen=True)
class Customer:
    """The company invoiced: its SIRET, name and address, and what its buyer asks to find on the
    invoice (its service code, BT-10, and its order or commitment number, BT-13)."""

    name: str
    siret: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    service_code: str = ""
    order_number: str = ""


def invoice_number_next(organisation: Organisation, *, kind: InvoiceKind, year: int) -> str:
    """The next number of the organisation's invoices and credit notes of `year`, one series
    without gaps: « FAC-2026-000041 », then « AV-2026-000042 ». The counter's row stays locked until
    the caller's transaction ends: a number is used only if the invoice is committed with it."""
    return f"{PREFIX[kind]}-{year}-{sequence_next(f'invoice-{organisation.pk}-{year}'):06d}"


def _seller(organisation: Organisation, billing: InvoicingSettings) -> dict:
    return {
        "name": organisation.name,
        "siret": organisation.siret,
        "street": organisation.street_address,
        "postcode": organisation.postcode,
        "city": organisation.city,
        "vat_number": billing.vat_number,
    }


def _billing(organisation: Organisation) -> InvoicingSettings:
    return InvoicingSettings.objects.filter(organisation=organisation).first() or InvoicingSettings(
        organisation=organisation
    )


def _customer_checked(customer: Customer) -> Customer:
    name = " ".join(customer.name.split())
    if not name:
        raise InvoiceInvalid("Le nom de l’entreprise facturée est obligatoire.")
    siret = "".join(customer.siret.split())
    try:
        validate_siret(siret)
    except ValidationError as error:
        raise InvoiceInvalid(f"SIRET de l’entreprise : {' '.join(error.messages)}") from error
    return Customer(
        name=name,
        siret=siret,
        street=customer.street.strip(),
        postcode=customer.postcode.strip(),
        city=customer.city.strip(),
        service_code=customer.service_code.strip(),
        order_number=customer.order_number.strip(),
    )


def _issue(
    *,
    dossier: Dossier,
    kind: InvoiceKind,
    customer: Customer,
    amounts: Amounts,
    actor,
    issue_date: date,
    credited: Invoice | None = None,
    issued_for: str = "",
    details: dict | None = None,
) -> Invoice:
    """Number, write, seal and record one invoice or credit note, in the caller's transaction.
    `issued_for` says what caused an invoice no person issued by hand; `details` go to the audit."""
    organisation = dossier.procedure.organisation
    billing = _billing(organisation)
    seller = _seller(organisation, billing)
    buyer = {
        "name": customer.name,
        "siret": customer.siret,
        "street": customer.street,
        "postcode": customer.postcode,
        "city": customer.city,
    }
    due_date = issue_date + timedelta(days=billing.payment_days)
    number = invoice_number_next(organisation, kind=kind, year=issue_date.year)
    # The series is chronological (CGI, annexe II, art. 242 nonies A): read under the counter's lock.
    latest = Invoice.objects.filter(organisation=organisation).aggregate(latest=Max("issue_date"))["latest"]
    if latest and issue_date < latest:
        raise InvoiceInvalid(
            f"La date d’émission ({issue_date:%d/%m/%Y}) précède celle de la dernière facture de "
            f"l’organisation ({latest:%d/%m/%Y}) : les numéros suivent l’ordre des dates."
        )
    # The embedded XML and the printed page say the same invoice: one set of terms feeds both.
    terms = {
        "number": number,
        "issue_date": issue_date,
        "due_date": due_date,
        "seller": seller,
        "buyer": buyer,
        "amounts": amounts,
        "payment_terms": billing.payment_terms,
        "credited": (credited.number, credited.issue_date) if credited else None,
        "buyer_reference": customer.service_code,
        "buyer_order": customer.order_number,
    }
    xml = facturx_xml(facturx_data(**terms))
    pdf = invoice_pdf(
        InvoiceLayout(
            **terms,
            kind_label=InvoiceKind(kind).label,
            dossier_number=dossier.number or "",
            procedure_title=dossier.procedure.title,
        ),
        xml,
    )
    now = timezone.now()
    invoice = Invoice(
        organisation=organisation,
        dossier=dossier,
        kind=kind,
        number=number,
        issue_date=issue_date,
        due_date=due_date,
        credited_invoice=credited,
        seller=seller,
        buyer_name=customer.name,
        buyer_siret=customer.siret,
        buyer_street=customer.street,
        buyer_postcode=customer.postcode,
        buyer_city=customer.city,
        buyer_reference=customer.service_code,
        buyer_order=customer.order_number,
        total_net=amounts.total_net,
        total_vat=amounts.total_vat,
        total_gross=amounts.total_gross,
        issued_by=actor,
        issued_for=issued_for,
        sha256=hashlib.sha256(pdf).hexdigest(),
        facturx_xml=xml.decode(),
        status=InvoiceStatus.ISSUED,
        status_at=now,
        next_attempt_at=now,
    )
    invoice.pdf.save(f"factures/{organisation.pk}/{number}.pdf", ContentFile(pdf), save=False)
    invoice.save()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=line.position,
            label=line.label,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            net_amount=line.net_amount,
        )
        for line in amounts.lines
    )
    audit_record(
        actor=actor,
        action=AuditAction.INVOICE_CREDIT if credited else AuditAction.INVOICE_ISSUE,
        target=dossier,
        details={
            "invoice": number,
            "total_gross": str(amounts.total_gross),
            "buyer_siret": customer.siret,
            **({"credited": credited.number} if credited else {}),
            **({"issued_for": issued_for} if issued_for else {}),
            **(details or {}),
        },
    )
    return invoice


def invoice_issue(
    *,
    dossier: Dossier,
    customer: Customer,
    lines: Sequence[LineLike],
    actor,
    issue_date: date | None = None,
    issued_for: str = "",
    details: dict | None = None,
) -> Invoice:
    """Issue an invoice to a company for a dossier: numbered in the organisation's series of the
    year, its Factur-X XML checked against the EN 16931 XSD, its PDF/A-3 sealed; it then waits for
    its deposit on Chorus Pro. InvoiceInvalid says, in French, what cannot be invoiced. An invoice
    issued by itself says why in `issued_for` (« Automatique, à l’acceptation du dossier »)."""
    amounts = amounts_compute(lines)
    customer = _customer_checked(customer)
    issue_date = issue_date or today()
    with transaction.atomic():
        return _issue(
            dossier=dossier,
            kind=InvoiceKind.INVOICE,
            customer=customer,
            amounts=amounts,
            actor=actor,
            issue_date=issue_date,
            issued_for=issued_for,
            details=details,
        )


def invoice_customer(invoice: Invoice) -> Customer:
    """The company as the invoice names it (its parties are copied on it)."""
    return Customer(
        name=invoice.buyer_name,
        siret=invoice.buyer_siret,
        street=invoice.buyer_street,
        postcode=invoice.buyer_postcode,
        city=invoice.buyer_city,
        service_code=invoice.buyer_reference,
        order_number=invoice.buyer_order,
    )


def credit_note_issue(
    *, invoice: Invoice, customer: Customer, actor, issue_date: date, details: dict | None = None, **fields
) -> Invoice:
    """The credit note of `invoice` (locked by the caller, in its transaction): its lines, for
    `customer`. Kept without deposit when Chorus Pro never made a document of the invoice (its
    deposit rejected, or never made): the company never got it."""
    credit_note = _issue(
        dossier=invoice.dossier,
        kind=InvoiceKind.CREDIT_NOTE,
        customer=customer,
        amounts=amounts_compute(list(invoice.lines.all())),
        actor=actor,
        issue_date=max(issue_date, invoice.issue_date),
        credited=invoice,
        details=details,
    )
    if not invoice.platform_invoice_id:
        fields = {**fields, "status": InvoiceStatus.KEPT, "status_at": timezone.now(), "next_attempt_at": None}
    if fields:
        Invoice.objects.filter(pk=credit_note.pk).update(**fields)
        credit_note.refresh_from_db()
    return credit_note


def invoice_credit(*, invoice: Invoice, actor, issue_date: date | None = None) -> Invoice:
    """Cancel an invoice with a credit note of the same lines (« avoir »), deposited on Chorus Pro
    in its turn; the invoice is then « annulée » and no longer followed. A paid invoice, one
    already cancelled, or one whose deposit is under way cannot be cancelled."""
    issue_date = issue_date or today()
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update().select_related("dossier__procedure__organisation").get(pk=invoice.pk)
        )
        if invoice.kind != InvoiceKind.INVOICE:
            raise InvoiceInvalid("Un avoir ne s’annule pas par un autre avoir.")
        if invoice.status == InvoiceStatus.CANCELLED:
            raise InvoiceInvalid(f"La facture n° {invoice.number} est déjà annulée.")
        if invoice.status == InvoiceStatus.PAID:
            raise InvoiceInvalid(f"La facture n° {invoice.number} est payée : elle ne peut plus être annulée.")
        if invoice.status == InvoiceStatus.ISSUED and invoice.deposit_started_at:
            raise InvoiceInvalid(
                f"Le dépôt de la facture n° {invoice.number} sur Chorus Pro est en cours : attendez sa réponse."
            )
        credit_note = credit_note_issue(
            invoice=invoice, customer=invoice_customer(invoice), actor=actor, issue_date=issue_date
        )
        Invoice.objects.filter(pk=invoice.pk).update(
            status=InvoiceStatus.CANCELLED, status_at=timezone.now(), next_attempt_at=None
        )
    return credit_note


def invoice_deposit_retry(*, invoice: Invoice, actor) -> Invoice:
    """A person who checked Chorus Pro starts again a deposit whose answer was lost (it is not
    there): it is deposited again at the worker's next round."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not invoice.waits_for_a_person:
            return invoice
        invoice.deposit_started_at = None
        invoice.next_attempt_at = timezone.now()
        invoice.last_error = ""
        invoice.save(update_fields=["deposit_started_at", "next_attempt_at", "last_error", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.INVOICE_DEPOSIT_RETRY,
            target=invoice.dossier,
            details={"invoice": invoice.number},
        )
    return invoice
