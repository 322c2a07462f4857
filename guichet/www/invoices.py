"""Sending an invoice's PDF to someone allowed to see it (the permission-checked selectors
invoice_of_instructor and invoice_of_applicant say who), and invoices as CSV for the accountant."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse

from guichet.instruction.exports.csv_writer import csv_chunks
from guichet.invoicing.exports import INVOICES_HEADER, invoice_rows, invoices_for_export
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


def invoices_csv_response(invoices: QuerySet[Invoice], *, file_name: str) -> StreamingHttpResponse:
    """The invoices and credit notes as CSV for the accountant (credit notes negative), streamed."""
    response = StreamingHttpResponse(
        csv_chunks(header=INVOICES_HEADER, rows=invoice_rows(invoices_for_export(invoices).iterator())),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
