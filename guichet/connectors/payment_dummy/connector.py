"""A dummy payment service, for the demonstration and development: no bank, a page of Guichet's
own (`/paiement-factice/<operation>/`) where the person chooses to pay, be refused or cancel, as
eopayment's `dummy` backend does. It keeps its operations in Django's cache for a day.

Setting: GUICHET_PAYMENT_DUMMY (true selects it, when PayFiP is not configured). Never in production:
nothing is paid."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from ..base import ConnectorRejected, PaymentConnector, PaymentDetail, PaymentOrder, PaymentRequest, PaymentResult

KEPT = 24 * 3600
# The result codes PayFiP would give (connectors/payfip): the dummy speaks the same words.
CODES = {PaymentResult.PAID: "P", PaymentResult.REFUSED: "R", PaymentResult.CANCELLED: "A"}


def _key(operation_id: str) -> str:
    return f"payment-dummy:{operation_id}"


def dummy_operation(operation_id: str) -> dict | None:
    """The operation as opened (amount, reference, subject, return and notification addresses)."""
    return cache.get(_key(operation_id))


def dummy_operation_settle(operation_id: str, result: PaymentResult) -> dict:
    """The person's choice on the dummy page: paid, refused or cancelled, once."""
    operation = dummy_operation(operation_id)
    if operation is None:
        raise ConnectorRejected("Opération de paiement factice inconnue ou expirée.")
    if operation.get("result") is None:
        operation.update(result=str(result), at=timezone.now().isoformat(), authorisation=secrets.token_hex(3))
        cache.set(_key(operation_id), operation, KEPT)
    return operation


@dataclass(frozen=True)
class DummyPayment(PaymentConnector):
    name = "payment_dummy"
    setting_names = ("GUICHET_PAYMENT_DUMMY",)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_PAYMENT_DUMMY)

    @classmethod
    def from_settings(cls) -> Self:
        return cls()

    def payment_create(self, request: PaymentRequest) -> PaymentOrder:
        operation_id = secrets.token_hex(10)
        operation = {
            "reference": request.reference,
            "amount_cents": request.amount_cents,
            "subject": request.subject,
            "notification_url": request.notification_url,
            "return_url": request.return_url,
            "result": None,
        }
        cache.set(_key(operation_id), operation, KEPT)
        url = settings.GUICHET_SITE_URL + reverse("paiements:factice", args=[operation_id])
        return PaymentOrder(operation_id=operation_id, redirect_url=url)

    def payment_detail(self, operation_id: str) -> PaymentDetail:
        operation = dummy_operation(operation_id)
        if operation is None:
            return PaymentDetail(result=PaymentResult.EXPIRED, code="P1")
        if operation["result"] is None:
            return PaymentDetail(result=PaymentResult.WAITING, code="P5")
        result = PaymentResult(operation["result"])
        paid = result == PaymentResult.PAID
        return PaymentDetail(
            result=result,
            code=CODES[result],
            reference=operation["reference"],
            amount_cents=operation["amount_cents"],
            authorisation=operation["authorisation"] if paid else "",
            paid_at=datetime.fromisoformat(operation["at"]) if paid else None,
            test=True,
        )
