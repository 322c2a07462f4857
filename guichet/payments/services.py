"""Writes on payments: open one (the person is then sent to the payment service) and record its
result. A payment is recorded once, whatever comes first (the service's notification, the person's
return, the reconciliation) and however often: its row is locked, a final result is never written
again, and the database holds one paid payment per dossier and moment. The service is called
outside any transaction; only the recording is atomic."""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import User
from guichet.connectors.base import ConnectorError, PaymentConnector, PaymentDetail, PaymentRequest, PaymentResult
from guichet.connectors.registry import connector_for
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.dossiers.models import Dossier, DossierState
from guichet.dossiers.services import SubmissionInvalid, dossier_submit
from guichet.dossiers.workflow import TransitionError
from guichet.procedures.fees import FeeMoment, FeeUncomputable

from .hooks import payment_settled
from .models import Payment, PaymentMoment, PaymentStatus
from .quittance import quittance_request
from .selectors import MINIMUM_CENTS, dossier_fee, fee_amount, paid_payment

logger = logging.getLogger(__name__)

# PayFiP keeps an operation open this long: within it, the person is sent back to the same one
# rather than to a second (which could be paid twice).
OPERATION_OPEN = timedelta(minutes=15)
# An operation still unfinished after this long will never be paid (eopayment waits as long).
OPERATION_EXPIRES = timedelta(hours=2)

STATUS_OF = {
    PaymentResult.PAID: PaymentStatus.PAID,
    PaymentResult.REFUSED: PaymentStatus.REFUSED,
    PaymentResult.CANCELLED: PaymentStatus.CANCELLED,
    PaymentResult.EXPIRED: PaymentStatus.EXPIRED,
}


class PaymentImpossible(Exception):
    """The payment cannot be opened now; the message says why, for the applicant."""


def _moment_open(dossier: Dossier, moment: str) -> bool:
    if moment == FeeMoment.BEFORE_FILING:
        return dossier.state == DossierState.DRAFT
    return dossier.state == DossierState.ACCEPTED


def _reference(dossier: Dossier) -> str:
    # PayFiP's refdet: up to 30 letters and digits, unique; the dossier's id keeps it readable.
    return f"G{dossier.pk}R{secrets.token_hex(6).upper()}"


def payment_start(*, actor: User, dossier: Dossier, connector: PaymentConnector | None = None) -> Payment:
    """Open the payment of the dossier's fee, or give back the one that is open or already paid.
    The applicant is then sent to `payment.redirect_url` (unless it is paid). PaymentImpossible when
    nothing is due, or when the payment service cannot open it now."""
    fee = dossier_fee(dossier)
    if fee is None:
        raise PaymentImpossible("Cette démarche ne demande aucun paiement.")
    moment = PaymentMoment(str(fee.moment))
    # An operation that the person may have finished meanwhile is read first: never asked twice.
    connector = connector or connector_for("payment")
    for pending in Payment.objects.filter(dossier=dossier, moment=moment, status=PaymentStatus.PENDING):
        payment_confirm(payment=pending, connector=connector)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.applicant_id != actor.pk:
            raise PaymentImpossible("Seul le titulaire du dossier peut payer ses frais.")
        paid = paid_payment(locked, moment)
        if paid is not None:
            return paid
        if not _moment_open(locked, moment):
            raise PaymentImpossible("Ce dossier n’attend pas de paiement.")
        try:
            amount = fee_amount(locked, fee)
        except FeeUncomputable as error:
            raise PaymentImpossible(str(error)) from error
        if amount.cents < MINIMUM_CENTS:
            raise PaymentImpossible("Le paiement en ligne n’est possible qu’à partir de 1 €.")
        # The same amount (the answers did not change it): the operation still open is reused.
        reusable = (
            Payment.objects.filter(
                dossier=locked,
                moment=moment,
                status=PaymentStatus.PENDING,
                amount_cents=amount.cents,
                created_at__gt=timezone.now() - OPERATION_OPEN,
            )
            .exclude(redirect_url="")
            .first()
        )
        if reusable is not None:
            return reusable
        payment = Payment.objects.create(
            dossier=locked,
            moment=moment,
            reference=_reference(locked),
            amount_cents=amount.cents,
            lines=amount.as_json(),
            revenue_account=fee.revenue_account,
            revenue_label=fee.revenue_label,
            email=actor.email,
            backend=connector.name,
        )
        audit_record(
            actor=actor,
            action=AuditAction.PAYMENT_START,
            target=payment,
            details={"dossier": locked.pk, "reference": payment.reference, "amount_cents": payment.amount_cents},
        )
    return _operation_open(payment, connector, locked)


def _operation_open(payment: Payment, connector: PaymentConnector, dossier: Dossier) -> Payment:
    site = settings.GUICHET_SITE_URL
    subject = f"{dossier.procedure.title} dossier {dossier.number or dossier.pk}"
    try:
        order = connector.payment_create(
            PaymentRequest(
                reference=payment.reference,
                amount_cents=payment.amount_cents,
                email=payment.email,
                subject=subject,
                year=timezone.localdate().year,
                notification_url=site + reverse("paiements:notification"),
                return_url=site + reverse("paiements:retour", args=[payment.reference]),
            )
        )
    except ConnectorError as error:
        logger.warning("Paiement %s : ouverture impossible : %s", payment.reference, error)
        Payment.objects.filter(pk=payment.pk).update(
            status=PaymentStatus.EXPIRED, result_code="ERR", settled_at=timezone.now()
        )
        raise PaymentImpossible(
            "Le service de paiement ne répond pas pour le moment : réessayez dans quelques minutes."
        ) from error
    Payment.objects.filter(pk=payment.pk).update(operation_id=order.operation_id, redirect_url=order.redirect_url)
    payment.operation_id, payment.redirect_url = order.operation_id, order.redirect_url
    return payment


def _status(payment: Payment, detail: PaymentDetail, now: datetime) -> str:
    if detail.result == PaymentResult.WAITING:
        return PaymentStatus.EXPIRED if now - payment.created_at > OPERATION_EXPIRES else PaymentStatus.PENDING
    return STATUS_OF[detail.result]


def payment_confirm(
    *, payment: Payment, now: datetime | None = None, connector: PaymentConnector | None = None
) -> Payment:
    """Ask the payment service how the payment ended and record it, once. Paid: the quittance is
    made, and the dossier is filed (a fee due before filing) or its act delivered (after acceptance).
    A payment already final is returned as it is, without asking the service (but a cancelled one is
    asked again while its operation may still be paid). ConnectorError when the service cannot say."""
    now = now or timezone.now()
    if payment.is_final and not (
        payment.status == PaymentStatus.CANCELLED and now - payment.created_at < OPERATION_EXPIRES
    ):
        return payment
    if not payment.operation_id:
        return payment
    detail = (connector or connector_for("payment")).payment_detail(payment.operation_id)
    return payment_record(payment_id=payment.pk, detail=detail, now=now)


@transaction.atomic
def payment_record(*, payment_id: int, detail: PaymentDetail, now: datetime) -> Payment:
    """Record what the service said, under the payment's lock: a final result is written once
    (only a cancelled operation may still turn out paid)."""
    payment = Payment.objects.select_for_update().select_related("dossier").get(pk=payment_id)
    status = _status(payment, detail, now)
    Payment.objects.filter(pk=payment.pk).update(checked_at=now)
    final_already = payment.is_final and not (
        payment.status == PaymentStatus.CANCELLED and status == PaymentStatus.PAID
    )
    if final_already or status == PaymentStatus.PENDING:
        return payment
    if detail.amount_cents is not None and status == PaymentStatus.PAID and detail.amount_cents != payment.amount_cents:
        logger.error("Paiement %s : montant payé %s ≠ %s", payment.reference, detail.amount_cents, payment.amount_cents)
    payment.status, payment.result_code, payment.settled_at = status, detail.code, now
    payment.authorisation, payment.test = detail.authorisation, detail.test
    if status == PaymentStatus.PAID:
        payment.paid_at = detail.paid_at or now
        # Paid twice (two tabs, two operations): the second is kept, to be refunded.
        if paid_payment(payment.dossier, payment.moment) is not None:
            payment.refund_due_at = now
    payment.save()
    audit_record(
        actor=None,
        action=AuditAction.PAYMENT_SETTLE,
        target=payment,
        details={"reference": payment.reference, "status": status, "code": detail.code, "dossier": payment.dossier_id},
    )
    if status == PaymentStatus.PAID:
        quittance_request(payment)
        if payment.refund_due_at is None:
            _paid_follow(payment)
    payment_settled.send(payment=payment)
    return payment


def _paid_follow(payment: Payment) -> None:
    dossier = payment.dossier
    if payment.moment != PaymentMoment.BEFORE_FILING or dossier.state != DossierState.DRAFT:
        return
    # Paid before filing: the dossier is filed now, whether or not the person comes back.
    try:
        with transaction.atomic():
            dossier_submit(actor=dossier.applicant, dossier=dossier)
    except (SubmissionInvalid, TransitionError) as error:
        # The answers changed meanwhile, or the procedure closed: the payment stays, the applicant
        # files from the summary (the fee is paid) or is refunded.
        logger.warning("Dossier %s payé mais non déposé : %s", dossier.pk, error)
