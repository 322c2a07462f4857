"""The receipts of the procedures an instructor handles, as CSV for the accountant."""

from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.instruction.selectors import procedures_of_instructor
from guichet.payments.selectors import payments_of_procedures
from guichet.www.payments.receipts import receipts_csv_response

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
    name = f"recettes-{procedure.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return receipts_csv_response(payments_of_procedures([procedure.pk]), file_name=name)
