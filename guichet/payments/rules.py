"""What fees do to the workflow, as listeners of its hooks (connected in PaymentsConfig.ready()):
a dossier whose fee is due before filing is filed only once paid, and a refused dossier's payment is
marked for refund."""

from django.utils import timezone

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.dossiers.models import Dossier, TransitionLog, TransitionName
from guichet.dossiers.workflow import Transition, TransitionNotAllowed
from guichet.procedures.fees import FeeMoment

from .models import Payment, PaymentStatus
from .selectors import fee_situation


def payment_required_before_filing(*, dossier: Dossier, transition: Transition, actor: object) -> None:
    """Listener of `transition_checked`: filing waits for the payment of a fee due before it."""
    if transition.name != TransitionName.SUBMIT:
        return
    situation = fee_situation(dossier)
    if situation is None or situation.moment != FeeMoment.BEFORE_FILING or situation.paid is not None:
        return
    if situation.amount is None:
        raise TransitionNotAllowed(f"Les frais de cette démarche ne peuvent pas être calculés : {situation.problem}.")
    if situation.due:
        raise TransitionNotAllowed(
            f"Les frais de {situation.amount_display} sont à payer en ligne avant le dépôt du dossier."
        )


def payment_on_transition(*, dossier: Dossier, log: TransitionLog, transition: Transition) -> None:
    """Listener of `transition_applied`: a refused dossier's payments are to be refunded."""
    if transition.name != TransitionName.REFUSE:
        return
    for payment in Payment.objects.select_for_update().filter(
        dossier=dossier, status=PaymentStatus.PAID, refund_due_at__isnull=True
    ):
        Payment.objects.filter(pk=payment.pk).update(refund_due_at=log.at or timezone.now())
        audit_record(
            actor=None,
            action=AuditAction.PAYMENT_REFUND_DUE,
            target=payment,
            details={"dossier": dossier.number, "reference": payment.reference, "amount_cents": payment.amount_cents},
        )
