"""The demonstration's payment page (connectors/payment_dummy): the person chooses how the payment
ends, then, as PayFiP does, the service is notified and the person sent back."""

from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from guichet.connectors.base import ConnectorRejected, PaymentResult
from guichet.connectors.payment_dummy.connector import dummy_operation, dummy_operation_settle
from guichet.payments.models import Payment
from guichet.procedures.fees import euros

from .views import payment_result_read

CHOICES = {"payer": PaymentResult.PAID, "refuser": PaymentResult.REFUSED, "abandonner": PaymentResult.CANCELLED}


@require_http_methods(["GET", "POST"])
def payment_dummy_page(request: HttpRequest, operation_id: str) -> HttpResponse:
    operation = dummy_operation(operation_id) if settings.GUICHET_PAYMENT_DUMMY else None
    if operation is None:
        raise Http404("Opération de paiement inconnue ou expirée.")
    if request.method == "POST":
        result = CHOICES.get(request.POST.get("issue", ""))
        if result is None:
            raise Http404("Choix inconnu.")
        try:
            dummy_operation_settle(operation_id, result)
        except ConnectorRejected as error:
            raise Http404(str(error)) from error
        # The notification, as PayFiP would send it (in the same process: the dummy has no server).
        payment = Payment.objects.filter(operation_id=operation_id).first()
        if payment is not None:
            payment_result_read(payment)
        return redirect(operation["return_url"])
    context = {"operation": operation, "amount": euros(Decimal(operation["amount_cents"]) / 100)}
    return render(request, "payments/dummy.html", context)
