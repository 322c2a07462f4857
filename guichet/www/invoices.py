"""Sending an invoice's PDF to someone allowed to see its dossier (the caller checks that)."""

from django.http import FileResponse, Http404

from guichet.dossiers.models import Dossier
from guichet.invoicing.models import Invoice
from guichet.invoicing.selectors import invoice_of_dossier


def dossier_invoice(dossier: Dossier, invoice_pk: int) -> Invoice:
    try:
        return invoice_of_dossier(dossier, invoice_pk)
    except Invoice.DoesNotExist:
        raise Http404("Cette facture n’existe pas.") from None


def invoice_file_response(invoice: Invoice) -> FileResponse:
    """The sealed Factur-X PDF, under the invoice's number."""
    response = FileResponse(invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.number}.pdf")
    response["Content-Type"] = "application/pdf"
    return response
