"""The aggregation, run by the worker: daily (observatory_daily_request, from the periodic loop of
`manage.py observatory_aggregate --every`) and on demand (services.aggregation_request)."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from guichet.core.sequences import sequence_next

from .aggregation import observatory_aggregate
from .models import AggregationRun
from .services import aggregation_request

logger = logging.getLogger(__name__)

# The daily run starts at the first check from this hour on (Paris time): at night, after the
# day's decisions.
DAILY_HOUR = 2


def aggregation_run(run: AggregationRun) -> AggregationRun:
    """Run one requested aggregation and keep how it ended; a run already started or finished
    (a retried task) is left alone."""
    with transaction.atomic():
        locked = AggregationRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != AggregationRun.Status.PENDING:
            return locked
        locked.status, locked.started_at = AggregationRun.Status.RUNNING, timezone.now()
        locked.save(update_fields=["status", "started_at"])
    try:
        report = observatory_aggregate()
    except Exception as error:
        logger.exception("Observatory aggregation failed")
        locked.status, locked.error = AggregationRun.Status.FAILED, str(error)[:2000]
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "error", "finished_at"])
        raise
    locked.status, locked.entries, locked.finished_at = AggregationRun.Status.DONE, report.entries, timezone.now()
    locked.save(update_fields=["status", "entries", "finished_at"])
    return locked


@task()
def observatory_aggregate_task(run_id: int) -> int:
    """Compute the observatory's summary tables for one requested run; returns the procedures
    computed."""
    run = AggregationRun.objects.filter(pk=run_id).first()
    if run is None:
        return 0
    return aggregation_run(run).entries


def observatory_daily_request(*, now: datetime | None = None) -> AggregationRun | None:
    """Ask for the day's aggregation, once a day from DAILY_HOUR: however often it is called,
    the day's counter lets only the first call after that hour through."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DAILY_HOUR:
        return None
    with transaction.atomic():
        if sequence_next(f"observatory-{local.date().isoformat()}") != 1:
            return None
        return aggregation_request(actor=None, trigger=AggregationRun.Trigger.SCHEDULED)
