"""The invoices for the organisation's accountant: one row per invoice or credit note, with its
amounts to the cent (« 1 234,50 », as French spreadsheets read them) and where it stands. Credit
notes are written negative, and one replaced by another (rejected by Chorus Pro or the company) at
zero: the column's sum is what is owed (docs/decisions/0054)."""

from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet

from guichet.procedures.fees import amount_for_spreadsheet

from .models import Invoice, InvoiceStatus

INVOICES_HEADER = (
    "Numéro",
    "Type",
    "Date d’émission",
    "Échéance",
    "Dossier",
    "Démarche",
    "Entreprise",
    "SIRET",
    "Total HT",
    "TVA",
    "Total TTC",
    "État",
    "Statut Chorus Pro",
    "Motifs du rejet ou commentaire de l’entreprise",
    "Numéro de dépôt Chorus Pro",
    "Facture annulée",
)


def _amount(value: Decimal, *, credit: bool, void: bool) -> str:
    if void:
        return amount_for_spreadsheet(Decimal(0))
    return amount_for_spreadsheet(-value if credit and value else value)


def _state(invoice: Invoice) -> str:
    if invoice.status == InvoiceStatus.REPLACED and getattr(invoice, "replaced_by", None):
        return f"Remplacé par l’avoir n° {invoice.replaced_by.number}, sans effet"
    return invoice.get_status_display()


def invoices_for_export(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return (
        invoices.select_related("dossier__procedure", "credited_invoice", "replaced_by")
        .defer("facturx_xml", "seller")
        .order_by("organisation", "issue_date", "pk")  # the order of their numbers
    )


def invoice_rows(invoices: Iterable[Invoice]) -> Iterator[list[str]]:
    for invoice in invoices:
        credit = invoice.credited_invoice_id is not None
        void = invoice.status == InvoiceStatus.REPLACED
        yield [
            invoice.number,
            invoice.get_kind_display(),
            invoice.issue_date.strftime("%d/%m/%Y"),
            invoice.due_date.strftime("%d/%m/%Y"),
            invoice.dossier.number or "",
            invoice.dossier.procedure.title,
            invoice.buyer_name,
            invoice.buyer_siret,
            _amount(invoice.total_net, credit=credit, void=void),
            _amount(invoice.total_vat, credit=credit, void=void),
            _amount(invoice.total_gross, credit=credit, void=void),
            _state(invoice),
            invoice.platform_status_label,
            " ; ".join([*invoice.rejection_reasons, *([invoice.platform_comment] if invoice.platform_comment else [])]),
            invoice.flow_number,
            invoice.credited_invoice.number if invoice.credited_invoice else "",
        ]
