"""The amounts collected through online payment, per procedure (the fees of guichet/payments), for
the steering team of the organisations concerned. Read live from the payments: a few rows per
procedure and a sum, indexed by status."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from guichet.payments.models import Payment, PaymentStatus
from guichet.procedures.fees import euros


@dataclass(frozen=True)
class CollectedRow:
    procedure_id: int
    title: str
    organisation: str
    payments: int
    collected_cents: int
    this_year_cents: int
    refund_due_cents: int

    @property
    def collected(self) -> str:
        return euros(Decimal(self.collected_cents) / 100)

    @property
    def this_year(self) -> str:
        return euros(Decimal(self.this_year_cents) / 100)

    @property
    def refund_due(self) -> str:
        return euros(Decimal(self.refund_due_cents) / 100)


def amounts_collected(*, organisation_ids: set[int]) -> list[CollectedRow]:
    """Per procedure of these organisations: the payments received, what they bring in (refunds due
    apart), this calendar year's part, and what is to be refunded."""
    if not organisation_ids:
        return []
    kept = Q(refund_due_at__isnull=True)
    year_start = timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = (
        Payment.objects.filter(status=PaymentStatus.PAID, dossier__procedure__organisation_id__in=organisation_ids)
        .values("dossier__procedure_id", "dossier__procedure__title", "dossier__procedure__organisation__name")
        .annotate(
            payments=Count("pk"),
            collected=Sum("amount_cents", filter=kept, default=0),
            this_year=Sum("amount_cents", filter=kept & Q(paid_at__gte=year_start), default=0),
            refund_due=Sum("amount_cents", filter=~kept, default=0),
        )
        .order_by("dossier__procedure__title", "dossier__procedure_id")
    )
    return [
        CollectedRow(
            procedure_id=row["dossier__procedure_id"],
            title=row["dossier__procedure__title"],
            organisation=row["dossier__procedure__organisation__name"],
            payments=row["payments"],
            collected_cents=row["collected"],
            this_year_cents=row["this_year"],
            refund_due_cents=row["refund_due"],
        )
        for row in rows
    ]
