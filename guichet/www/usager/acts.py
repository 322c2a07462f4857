"""The applicant's acts (the sealed receipt and decisions of their dossiers) and invoices."""

from django.http import FileResponse, Http404, HttpRequest

from guichet.documents.models import Act
from guichet.documents.selectors import act_of_applicant
from guichet.invoicing.selectors import invoice_of_applicant
from guichet.payments.selectors import acts_delivered
from guichet.www.acts import act_file_response
from guichet.www.invoices import invoice_file_response, invoice_or_404

from .access import applicant_required


@applicant_required
def dossier_act_file(request: HttpRequest, pk: int, act_pk: int) -> FileResponse:
    try:
        act = act_of_applicant(request.user, dossier_pk=pk, act_pk=act_pk)
    except Act.DoesNotExist:
        raise Http404("Ce document n’existe pas.") from None
    if not acts_delivered(act.dossier, [act]):
        raise Http404("Cette décision vous sera remise après le paiement des frais.")
    return act_file_response(act)


@applicant_required
def dossier_invoice_file(request: HttpRequest, pk: int, invoice_pk: int) -> FileResponse:
    """An invoice to the company that filed the dossier."""
    invoice = invoice_or_404(invoice_of_applicant, request.user, dossier_pk=pk, invoice_pk=invoice_pk)
    return invoice_file_response(invoice)
