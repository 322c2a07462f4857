"""The reconciliation: the payments whose result nobody brought back (the person closed the page,
the notification was lost) are asked of the payment service, and the quittances not yet made are
made. `manage.py payments_reconcile` runs it (every few minutes; `serve` runs it)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from guichet.connectors.base import ConnectorError

from .models import Payment, PaymentStatus
from .quittance import quittance_issue, quittances_pending
from .services import OPERATION_EXPIRES, OPERATION_OPEN, payment_confirm

# A payment younger than this is left to its notification and its return.
QUIET = timedelta(minutes=5)


@dataclass
class ReconcileReport:
    settled: dict[str, int] = field(default_factory=dict)
    still_pending: int = 0
    unreachable: int = 0
    quittances: int = 0


def payments_reconcile(*, now: datetime | None = None, quiet: timedelta = QUIET) -> ReconcileReport:
    """Settle what can be: each pending payment older than `quiet` (and each cancelled one whose
    operation may still be paid) is asked of the service; an operation never opened (the service did
    not answer) expires; the pending quittances are made."""
    now = now or timezone.now()
    report = ReconcileReport()
    Payment.objects.filter(
        status=PaymentStatus.PENDING, operation_id__isnull=True, created_at__lt=now - OPERATION_OPEN
    ).update(status=PaymentStatus.EXPIRED, settled_at=now)
    asked = Payment.objects.filter(
        Q(status=PaymentStatus.PENDING, created_at__lt=now - quiet)
        | Q(status=PaymentStatus.CANCELLED, created_at__gt=now - OPERATION_EXPIRES),
        operation_id__isnull=False,
    ).order_by("created_at", "pk")
    for payment in asked:
        try:
            payment = payment_confirm(payment=payment, now=now)
        except ConnectorError:
            report.unreachable += 1
            continue
        if payment.status == PaymentStatus.PENDING:
            report.still_pending += 1
        else:
            report.settled[payment.status] = report.settled.get(payment.status, 0) + 1
    for act_id in quittances_pending():
        quittance_issue(act_id=act_id)
        report.quittances += 1
    return report
