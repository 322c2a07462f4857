"""The payments received, as CSV for the accountant: a procedure's (its instructors) or an
organisation's (whoever administers its procedures), in one format."""

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from guichet.instruction.exports.csv_writer import csv_chunks
from guichet.payments.exports import RECEIPTS_HEADER, receipts_rows
from guichet.payments.models import Payment


def receipts_csv_response(payments: QuerySet[Payment], *, file_name: str) -> StreamingHttpResponse:
    """Every payment received among `payments`, refunds due marked, streamed."""
    response = StreamingHttpResponse(
        csv_chunks(header=RECEIPTS_HEADER, rows=receipts_rows(payments.iterator(chunk_size=500))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
