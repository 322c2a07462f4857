"""The invoices for the organisation's accountant: one row per invoice or credit note, with its
amounts to the cent (« 1 234,50 », as French spreadsheets read them) and where it stands."""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from .models import Invoice

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
    "Numéro de dépôt Chorus Pro",
    "Facture annulée",
)


def _amount(value, *, credit: bool) -> str:
    # Credit notes are written negative: the column's sum is what is owed.
    return f"{-value if credit and value else value:.2f}".replace(".", ",")


def invoices_for_export(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return (
        invoices.select_related("dossier__procedure", "credited_invoice")
        .defer("facturx_xml", "seller")
        .order_by("organisation", "issue_date", "pk")  # the order of their numbers
    )


def invoice_rows(invoices: Iterable[Invoice]) -> Iterator[list[str]]:
    for invoice in invoices:
        credit = invoice.credited_invoice_id is not None
        yield [
            invoice.number,
            invoice.get_kind_display(),
            invoice.issue_date.strftime("%d/%m/%Y"),
            invoice.due_date.strftime("%d/%m/%Y"),
            invoice.dossier.number or "",
            invoice.dossier.procedure.title,
            invoice.buyer_name,
            invoice.buyer_siret,
            _amount(invoice.total_net, credit=credit),
            _amount(invoice.total_vat, credit=credit),
            _amount(invoice.total_gross, credit=credit),
            invoice.get_status_display(),
            invoice.platform_status_label,
            invoice.flow_number,
            invoice.credited_invoice.number if invoice.credited_invoice else "",
        ]
