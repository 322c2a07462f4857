"""The worker's finished task results (django-tasks-db keeps each task's arguments and outcome in
a row): an email task's row holds the rendered email, personal data that nothing finds by dossier.
So they are all deleted some days after they finished (GUICHET_TASK_RESULTS_KEPT_DAYS): long enough
to look into a failure, short enough not to keep what an elimination destroys (decision 0023)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


def task_results_prune(*, now: datetime | None = None) -> int:
    """Delete the task results finished (successful or failed) more than
    GUICHET_TASK_RESULTS_KEPT_DAYS ago, of every queue. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.GUICHET_TASK_RESULTS_KEPT_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted
