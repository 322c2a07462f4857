"""The aggregation, run by the worker: daily (services.observatory_daily_request, from the periodic loop of
`manage.py observatory_aggregate --every`) and on demand (services.aggregation_request)."""

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .aggregation import observatory_aggregate
from .models import AggregationRun

logger = logging.getLogger(__name__)

# The daily run starts at the first check from this hour on (Paris time): at night, after the
# day's decisions.


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
