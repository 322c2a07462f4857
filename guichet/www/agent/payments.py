"""The receipts of the procedures an instructor handles, as CSV for the accountant."""

from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.instruction.exports.csv_writer import csv_chunks
from guichet.instruction.selectors import procedures_of_instructor
from guichet.payments.exports import RECEIPTS_HEADER, receipts_rows
from guichet.payments.selectors import payments_of_procedures

from .access import instructor_required


@instructor_required
def receipts_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Every payment received for the procedure (CSV, as French spreadsheets open it)."""
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    audit_record(
        actor=request.user,
        action=AuditAction.PAYMENT_RECEIPTS_EXPORT,
        target=procedure,
        details={"procedure": procedure.slug},
    )
    rows = receipts_rows(payments_of_procedures([procedure.pk]).iterator(chunk_size=500))
    response = StreamingHttpResponse(csv_chunks(header=RECEIPTS_HEADER, rows=rows), content_type="text/csv")
    name = f"recettes-{procedure.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
