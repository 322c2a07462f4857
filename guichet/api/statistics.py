"""A procedure's statistics through the API (scope `statistics:read`): how many dossiers stand in each
state, how many were filed each month of the last year, and how long decisions took. Figures only:
no dossier, no person."""

from datetime import timedelta
from statistics import median

from django.db.models import Count, F
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from guichet.core.replicas import reads_from_replica
from guichet.dossiers.models import Dossier, DossierState

from .errors import responses
from .principals import principal_of
from .scopes import Scope

router = Router(tags=["statistiques"])

# Decisions older than this do not weigh on the processing times (the last twelve months).
WINDOW = timedelta(days=365)


class MonthOut(Schema):
    month: str = Field(description="Le mois, « AAAA-MM ».")
    filed: int = Field(description="Dossiers déposés ce mois-là.")


class StatisticsOut(Schema):
    procedure: str
    by_state: dict[str, int] = Field(description="Dossiers déposés par état (les brouillons ne comptent pas).")
    filed_by_month: list[MonthOut] = Field(description="Dossiers déposés chaque mois des douze derniers mois.")
    decided_last_year: int = Field(description="Dossiers décidés (acceptés, refusés, classés) ces douze mois.")
    accepted_share: float | None = Field(description="Part des décisions de ces douze mois qui acceptent (0 à 1).")
    median_processing_days: float | None = Field(
        description="Délai médian entre le dépôt et la décision, en jours, pour les décisions de ces douze mois."
    )


@router.get(
    "/procedures/{ref}/statistics",
    response=responses(StatisticsOut, not_found=True),
    summary="Les statistiques d’une démarche",
)
@reads_from_replica
def procedure_statistics(request: HttpRequest, ref: str):
    procedure = principal_of(request).procedure_or_404(ref, Scope.STATISTICS_READ)
    filed = Dossier.objects.filter(procedure=procedure).exclude(state=DossierState.DRAFT)
    by_state = dict(filed.values_list("state").annotate(count=Count("id")).order_by())
    since = timezone.now() - WINDOW
    months = (
        filed.filter(submitted_at__gte=since)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(filed=Count("id"))
        .order_by("month")
    )
    decided = filed.filter(state__in=DossierState.decided(), decided_at__gte=since, submitted_at__isnull=False)
    durations = [
        delay.total_seconds() / 86400
        for delay in decided.annotate(delay=F("decided_at") - F("submitted_at")).values_list("delay", flat=True)
    ]
    accepted = decided.filter(state=DossierState.ACCEPTED).count()
    return {
        "procedure": procedure.slug,
        "by_state": {state: by_state.get(state, 0) for state in DossierState.values if state != DossierState.DRAFT},
        "filed_by_month": [{"month": row["month"].strftime("%Y-%m"), "filed": row["filed"]} for row in months],
        "decided_last_year": len(durations),
        "accepted_share": round(accepted / len(durations), 4) if durations else None,
        "median_processing_days": round(median(durations), 2) if durations else None,
    }
