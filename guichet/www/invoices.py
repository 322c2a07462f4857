"""Sending an invoice's PDF to someone allowed to see it (the permission-checked selectors
invoice_of_instructor and invoice_of_applicant say who)."""

from collections.abc import Callable

from django.http import FileResponse, Http404

from guichet.invoicing.models import Invoice


def invoice_or_404(selector: Callable[..., Invoice], user, *, dossier_pk: int, invoice_pk: int) -> Invoice:
    """The invoice the selector gives `user`; 404 for any other, as one that does not exist."""
    try:
        return selector(user, dossier_pk=dossier_pk, invoice_pk=invoice_pk)
    except Invoice.DoesNotExist:
        raise Http404("Cette facture n’existe pas.") from None


def invoice_file_response(invoice: Invoice) -> FileResponse:
    """The sealed Factur-X PDF, under the invoice's number."""
    response = FileResponse(invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.number}.pdf")
    response["Content-Type"] = "application/pdf"
    return response
