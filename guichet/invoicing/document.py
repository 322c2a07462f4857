"""The invoice's PDF: laid out like the acts, written by WeasyPrint as PDF/A-3, with the Factur-X
XML embedded, then sealed with the organisation's seal (which keeps it PDF/A-3: decision 0020)."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string

from guichet.documents.rendering import html_to_pdfa
from guichet.documents.seal import pdf_seal

from .amounts import Amounts, euros_text, rate_text
from .facturx import facturx_embed


@dataclass(frozen=True)
class InvoiceLayout:
    kind_label: str  # « Facture », « Avoir »
    number: str
    issue_date: date
    due_date: date
    seller: dict
    buyer: dict
    amounts: Amounts
    payment_terms: str
    dossier_number: str
    procedure_title: str
    buyer_reference: str = ""
    buyer_order: str = ""
    credited: tuple[str, date] | None = None


def invoice_html(layout: InvoiceLayout) -> str:
    amounts = layout.amounts
    return render_to_string(
        "invoicing/invoice.html",
        {
            "kind_label": layout.kind_label,
            "number": layout.number,
            "issue_date": layout.issue_date,
            "due_date": layout.due_date,
            "seller": layout.seller,
            "buyer": layout.buyer,
            "buyer_reference": layout.buyer_reference,
            "buyer_order": layout.buyer_order,
            "credited": layout.credited,
            "dossier_number": layout.dossier_number,
            "procedure_title": layout.procedure_title,
            "payment_terms": layout.payment_terms,
            "platform_name": settings.GUICHET_PLATFORM_NAME,
            "lines": [
                {
                    "label": line.label,
                    "quantity_text": f"{line.quantity.normalize():f}".replace(".", ","),
                    "unit_price_text": euros_text(line.unit_price),
                    "vat_text": rate_text(line.vat_rate),
                    "net_text": euros_text(line.net_amount),
                }
                for line in amounts.lines
            ],
            "vat": [
                {
                    "label": f"TVA à {rate_text(part.rate)} sur {euros_text(part.base)}"
                    if part.rate
                    else "TVA (hors champ)",
                    "amount": euros_text(part.amount),
                }
                for part in amounts.vat
            ],
            "outside_vat": not amounts.subject_to_vat,
            "total_net": euros_text(amounts.total_net),
            "total_gross": euros_text(amounts.total_gross),
        },
    )


def invoice_pdf(layout: InvoiceLayout, xml: bytes) -> bytes:
    """The sealed Factur-X PDF/A-3 of an invoice whose XML is `xml`."""
    pdf = html_to_pdfa(invoice_html(layout))
    title = f"{layout.kind_label} n° {layout.number}"
    facturx_pdf = facturx_embed(pdf, xml, title=title, author=layout.seller["name"])
    return pdf_seal(facturx_pdf, signatory=layout.seller["name"]).pdf
