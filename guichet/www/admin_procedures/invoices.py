"""An organisation's invoices and credit notes for its accountant, as CSV: for whoever administers
the organisation's procedures (the instructors export those of their dossiers, procedure by
procedure, from their lists)."""

from django.http import Http404, HttpRequest, StreamingHttpResponse

from guichet.accounts.models import Organisation
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.invoicing.selectors import invoices_of_organisation_administered
from guichet.www.invoices import invoices_csv_response

from .access import administrator_required


@administrator_required
def organisation_invoices_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    try:
        organisation, invoices = invoices_of_organisation_administered(request.user, organisation_pk=pk)
    except Organisation.DoesNotExist:
        raise Http404("Cette organisation n’existe pas ou vous ne l’administrez pas.") from None
    audit_record(
        actor=request.user, action=AuditAction.INVOICES_EXPORT, target=organisation, details={"scope": "organisation"}
    )
    return invoices_csv_response(invoices, file_name=f"factures-{organisation.siret or organisation.pk}.csv")
