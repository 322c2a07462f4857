"""Ways out of what Chorus Pro or the company sends back, on the dossier's page
(docs/decisions/0054): deposit again a credit note whose deposit was rejected, replace a rejected
credit note by a new one with the recipient corrected, record the recipient set on Chorus Pro's
portal for an invoice sent back « à recycler »."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from guichet.invoicing.amounts import InvoiceInvalid
from guichet.invoicing.corrections import credit_note_redeposit, credit_note_replace, invoice_reroute_record
from guichet.invoicing.models import InvoiceKind

from .access import instructor_required
from .forms import InvoiceRecipientForm
from .invoices import instructor_invoice


@instructor_required
@require_POST
def dossier_credit_note_redeposit(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    credit_note = instructor_invoice(request, pk, invoice_pk)
    try:
        credit_note_redeposit(credit_note=credit_note, actor=request.user)
    except InvoiceInvalid as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L’avoir n° {credit_note.number} va être déposé à nouveau sur Chorus Pro.")
    return redirect("agent:dossier_detail", pk=pk)


def _recipient_page(request: HttpRequest, *, pk: int, invoice_pk: int, template: str, allowed, write) -> HttpResponse:
    """A page that shows why the document came back and asks for the recipient: GET shows it, a
    valid POST writes it (`write(document, form)`, which says what was done)."""
    document = instructor_invoice(request, pk, invoice_pk)
    if not allowed(document):
        noun = "la facture" if document.kind == InvoiceKind.INVOICE else "l’avoir"
        messages.info(request, f"Rien n’est à corriger sur {noun} n° {document.number}.")
        return redirect("agent:dossier_detail", pk=pk)
    initial = {
        "service_code": document.rerouted_reference or document.buyer_reference,
        "order_number": document.rerouted_order or document.buyer_order,
    }
    form = InvoiceRecipientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            messages.success(request, write(document, form.cleaned_data))
        except InvoiceInvalid as error:
            form.add_error(None, str(error))
        else:
            return redirect("agent:dossier_detail", pk=pk)
    return render(request, template, {"invoice": document, "dossier": document.dossier, "form": form})


@instructor_required
@require_http_methods(["GET", "POST"])
def dossier_credit_note_replace(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    def write(credit_note, data) -> str:
        replacement = credit_note_replace(credit_note=credit_note, actor=request.user, **data)
        return (
            f"L’avoir n° {credit_note.number} est remplacé par l’avoir n° {replacement.number}, "
            "qui va être déposé sur Chorus Pro."
        )

    return _recipient_page(
        request,
        pk=pk,
        invoice_pk=invoice_pk,
        template="agent/credit_note_replace.html",
        allowed=lambda document: document.can_be_replaced,
        write=write,
    )


@instructor_required
@require_http_methods(["GET", "POST"])
def dossier_invoice_reroute(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    def write(invoice, data) -> str:
        invoice_reroute_record(invoice=invoice, actor=request.user, **data)
        return f"Le destinataire de la facture n° {invoice.number} est enregistré ; son statut va être relu."

    return _recipient_page(
        request,
        pk=pk,
        invoice_pk=invoice_pk,
        template="agent/invoice_reroute.html",
        allowed=lambda document: document.platform_status == "A_RECYCLER" and bool(document.alert),
        write=write,
    )
