"""The applicant's payment of a fee: the page that says what is due and sends them to the payment
service, the return from it, and the service's notification (PayFiP's urlnotif)."""

import logging
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from guichet.connectors.base import ConnectorError
from guichet.dossiers.models import DossierState
from guichet.payments.models import Payment, PaymentStatus
from guichet.payments.selectors import dossier_payments, fee_situation, payment_awaited
from guichet.payments.services import PaymentImpossible, payment_confirm, payment_start
from guichet.procedures.fees import euros
from guichet.www.usager.access import applicant_required, own_dossier

logger = logging.getLogger(__name__)

RESULT_MESSAGES = {
    PaymentStatus.REFUSED: "Le paiement a été refusé par votre banque : rien n’a été débité. Vous pouvez réessayer.",
    PaymentStatus.CANCELLED: "Vous avez abandonné le paiement : rien n’a été débité. Vous pouvez réessayer.",
    PaymentStatus.EXPIRED: "Le délai pour payer est dépassé : rien n’a été débité. Vous pouvez réessayer.",
    PaymentStatus.PENDING: "Le service de paiement ne nous a pas encore donné le résultat : "
    "actualisez cette page dans quelques instants.",
}


@applicant_required
@require_http_methods(["GET", "POST"])
def dossier_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """What is due (its lines and total), what was paid, and the button that opens the payment."""
    dossier = own_dossier(request, pk)
    situation = fee_situation(dossier)
    if situation is None:
        raise Http404("Cette démarche ne demande aucun paiement.")
    if request.method == "POST":
        try:
            payment = payment_start(actor=request.user, dossier=dossier)
        except PaymentImpossible as error:
            messages.error(request, str(error))
            return redirect("paiements:dossier", pk=dossier.pk)
        if payment.status == PaymentStatus.PAID:
            messages.info(request, "Ces frais sont déjà payés.")
            return redirect("usager:dossier_detail", pk=dossier.pk)
        return redirect(payment.redirect_url)
    lines = (
        situation.paid.lines if situation.paid is not None else (situation.amount.as_json() if situation.amount else {})
    )
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "situation": situation,
        "fee_lines": fee_lines_display(lines),
        "fee_total": situation.amount_display,
        "awaited": payment_awaited(dossier),
        "payments": dossier_payments(dossier),
    }
    return render(request, "payments/dossier_payment.html", context)


def fee_lines_display(charged: dict) -> list[dict[str, str]]:
    """A fee's lines as kept (FeeAmount.as_json), in French."""
    return [
        {
            "label": line["label"],
            "quantity": format(Decimal(line["quantity"]).normalize(), "f").replace(".", ","),
            "unit_price": euros(Decimal(line["unit_price"])),
            "vat_rate": format(Decimal(line["vat_rate"]).normalize(), "f").replace(".", ",") + " %",
            "net": euros(Decimal(line["net"])),
        }
        for line in charged.get("lines", [])
    ]


def payment_result_read(payment: Payment) -> Payment:
    try:
        return payment_confirm(payment=payment)
    except ConnectorError as error:
        # The reconciliation asks again later; the person sees the payment as waiting.
        logger.warning("Paiement %s : résultat non lu : %s", payment.reference, error)
        return payment


@csrf_exempt  # called by the payment service; it only makes Guichet ask the service itself
@require_POST
def payment_notification(request: HttpRequest) -> HttpResponse:
    """PayFiP's notification: `idOp` of an operation that ended. Nothing in it is trusted: the result
    is asked of the service (recupererDetailPaiementSecurise)."""
    operation_id = request.POST.get("idOp") or request.POST.get("idop") or ""
    payment = Payment.objects.filter(operation_id=operation_id).first() if operation_id else None
    if payment is None:
        raise Http404("Opération de paiement inconnue.")
    payment_result_read(payment)
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt  # the service may send the person back with a POST
@require_http_methods(["GET", "POST"])
def payment_return(request: HttpRequest, reference: str) -> HttpResponse:
    """The person back from the payment service: the payment's result is read (whatever the
    notification did already), then they see their dossier (filed, if they paid before filing)."""
    payment = Payment.objects.select_related("dossier").filter(reference=reference).first()
    if payment is None:
        raise Http404("Paiement inconnu.")
    payment = payment_result_read(payment)
    dossier = payment.dossier
    if not request.user.is_authenticated or request.user.pk != dossier.applicant_id:
        # A session lost on the way: the payment is recorded all the same; the person signs in.
        return redirect(f"{reverse('accounts:login')}?next={reverse('usager:dossier_detail', args=[dossier.pk])}")
    if payment.status == PaymentStatus.PAID:
        dossier.refresh_from_db()
        if dossier.state != DossierState.DRAFT and payment.moment == "before_filing":
            messages.success(request, "Paiement reçu : votre dossier est déposé. La quittance est jointe au dossier.")
            return redirect("usager:dossier_submitted", pk=dossier.pk)
        messages.success(request, "Paiement reçu : la quittance est jointe à votre dossier.")
        return redirect("usager:dossier_detail", pk=dossier.pk)
    messages.warning(request, RESULT_MESSAGES[PaymentStatus(payment.status)])
    return redirect("paiements:dossier", pk=dossier.pk)
