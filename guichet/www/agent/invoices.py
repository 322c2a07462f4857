"""The invoices of a dossier in the back office: download them, cancel one with a credit note,
start again a deposit whose answer was lost once Chorus Pro was checked."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from guichet.instruction.access import invoice_of_instructor
from guichet.instruction.followup.chain import fee_invoice_retry
from guichet.invoicing.amounts import InvoiceInvalid
from guichet.invoicing.models import Invoice
from guichet.invoicing.services import invoice_credit, invoice_deposit_retry
from guichet.www.invoices import invoice_file_response, invoice_or_404

from .access import instructor_dossier, instructor_required


def instructor_invoice(request: HttpRequest, pk: int, invoice_pk: int) -> Invoice:
    return invoice_or_404(invoice_of_instructor, request.user, dossier_pk=pk, invoice_pk=invoice_pk)


@instructor_required
def dossier_invoice_file(request: HttpRequest, pk: int, invoice_pk: int) -> FileResponse:
    return invoice_file_response(instructor_invoice(request, pk, invoice_pk))


@instructor_required
@require_http_methods(["GET", "POST"])
def dossier_invoice_credit(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    """A credit note cannot be taken back: the page says what it does, its button issues it."""
    invoice = instructor_invoice(request, pk, invoice_pk)
    if request.method == "GET":
        if not invoice.can_be_credited:
            messages.info(request, f"La facture n° {invoice.number} ne peut pas être annulée.")
            return redirect("agent:dossier_detail", pk=pk)
        return render(request, "agent/invoice_credit.html", {"invoice": invoice, "dossier": invoice.dossier})
    try:
        credit_note = invoice_credit(invoice=invoice, actor=request.user)
    except InvoiceInvalid as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"La facture n° {invoice.number} est annulée par l’avoir n° {credit_note.number}, qui va être déposé.",
        )
    return redirect("agent:dossier_detail", pk=pk)


@instructor_required
@require_POST
def dossier_invoice_deposit_retry(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    invoice = instructor_invoice(request, pk, invoice_pk)
    if not invoice.waits_for_a_person:
        messages.info(request, f"Le dépôt de la facture n° {invoice.number} n’attend pas de vérification.")
        return redirect("agent:dossier_detail", pk=pk)
    invoice_deposit_retry(invoice=invoice, actor=request.user)
    messages.success(request, f"Le dépôt de la facture n° {invoice.number} est relancé.")
    return redirect("agent:dossier_detail", pk=pk)


@instructor_required
@require_POST
def dossier_fee_invoice_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Invoice the fee to the company again (its answers corrected), where it was given up."""
    if fee_invoice_retry(actor=request.user, dossier=instructor_dossier(request, pk)):
        messages.success(request, "La facturation des frais à l’entreprise va être essayée à nouveau.")
    else:
        messages.info(request, "Aucune facturation des frais n’est à essayer à nouveau.")
    return redirect("agent:dossier_detail", pk=pk)
