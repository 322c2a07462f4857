"""An organisation's books for its accountant, as two CSV files offered side by side (as the
instructors' lists offer them per procedure): its invoices and credit notes, and the payments
received online (PayFiP), refunds due marked. For whoever administers the organisation's procedures."""

from django.http import Http404, HttpRequest, StreamingHttpResponse

from guichet.accounts.models import Organisation
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.invoicing.selectors import invoices_of_organisation_administered
from guichet.payments.selectors import payments_of_organisation_administered
from guichet.www.invoices import invoices_csv_response
from guichet.www.payments.receipts import receipts_csv_response

from .access import administrator_required

NOT_ADMINISTERED = "Cette organisation n’existe pas ou vous ne l’administrez pas."


@administrator_required
def organisation_invoices_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    try:
        organisation, invoices = invoices_of_organisation_administered(request.user, organisation_pk=pk)
    except Organisation.DoesNotExist:
        raise Http404(NOT_ADMINISTERED) from None
    audit_record(
        actor=request.user, action=AuditAction.INVOICES_EXPORT, target=organisation, details={"scope": "organisation"}
    )
    return invoices_csv_response(invoices, file_name=f"factures-{organisation.siret or organisation.pk}.csv")


@administrator_required
def organisation_receipts_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    try:
        organisation, payments = payments_of_organisation_administered(request.user, organisation_pk=pk)
    except Organisation.DoesNotExist:
        raise Http404(NOT_ADMINISTERED) from None
    audit_record(
        actor=request.user,
        action=AuditAction.PAYMENT_RECEIPTS_EXPORT,
        target=organisation,
        details={"scope": "organisation"},
    )
    return receipts_csv_response(payments, file_name=f"recettes-{organisation.siret or organisation.pk}.csv")
