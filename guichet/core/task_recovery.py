"""Tasks whose worker died (SIGKILL, a machine lost) go back to the queue (decision 0057).

django-tasks-db marks a task « RUNNING » when a worker takes it, and nothing looks at it again: a
worker killed in the middle leaves it so for ever, and its work is lost unless a loop of its own
takes it up (the follow-up chains, the webhooks). So each worker holds, while it runs a task, a
PostgreSQL advisory lock named after the task: taken when the task starts, let go when it finishes,
and let go by PostgreSQL with the worker's connection when the worker dies. `tasks_recover` (a loop,
`manage.py tasks_recover --every 30`) puts back in the queue the tasks « RUNNING » whose lock is
free: their worker is gone. They run again from the start; tasks are idempotent (STYLE.md), so a
task run again does nothing twice. On SQLite (one machine) nothing is put back."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from .locks import lock_hold, lock_let_go, node_lock

logger = logging.getLogger(__name__)


def _lock_name(task_id) -> str:
    return f"task:{task_id}"


def _held_by_workers(sender) -> bool:
    """Tasks of the database queue, on PostgreSQL: the only ones a worker of another node may hold.
    (db_worker sends its backend, the instance, as the signals' sender; django-tasks' own backends
    send their class.)"""
    backend = sender if isinstance(sender, type) else type(sender)
    return issubclass(backend, DatabaseBackend) and connection.vendor == "postgresql"


def task_lock_take(sender, task_result, **kwargs) -> None:
    """Listener of `task_started`, in the worker: the task's lock, held while it runs."""
    if _held_by_workers(sender):
        lock_hold(_lock_name(task_result.id))


def task_lock_let_go(sender, task_result, **kwargs) -> None:
    """Listener of `task_finished` (done or failed): the task's lock let go."""
    if _held_by_workers(sender):
        lock_let_go(_lock_name(task_result.id))


def tasks_recover(*, now: datetime | None = None) -> list[str]:
    """Put back in the queue the tasks « RUNNING » for more than the grace whose worker is gone (their
    lock is free); returns their ids. The grace covers the moment between a worker's taking a task
    and its taking the lock."""
    if connection.vendor != "postgresql":
        return []
    now = now or timezone.now()
    grace = timedelta(seconds=settings.GUICHET_TASKS_RECOVER_GRACE_SECONDS)
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - grace)
    recovered = []
    for task_id in running.values_list("pk", flat=True):
        with node_lock(_lock_name(task_id)) as free:
            # Checked again under the lock: the task may have finished meanwhile.
            still = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING)
            if free and still.update(status=TaskResultStatus.READY, started_at=None):
                recovered.append(str(task_id))
    if recovered:
        logger.warning("Tâches remises en file, leur worker s’étant arrêté : %s", ", ".join(recovered))
    return recovered
