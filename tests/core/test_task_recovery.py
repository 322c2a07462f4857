"""A task left « running » by a worker that died is put back in the queue, and only then: a worker
holds a lock per task while it runs it (guichet/core/task_recovery.py, decision 0057)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from guichet.core.task_recovery import tasks_recover

POSTGRESQL = connection.vendor == "postgresql"
_running, _release = threading.Event(), threading.Event()


@task()
def held_until_released() -> str:
    _running.set()
    _release.wait(20)
    return "fini"


@pytest.fixture
def taken(settings, transactional_db):
    """A task of the database queue, taken by a worker a minute ago (committed: the worker of the
    test runs in a thread, with a connection of its own)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _running.clear()
    _release.clear()
    stored = DBTaskResult.objects.get(pk=held_until_released.enqueue().id)
    stored.claim("worker-a")
    DBTaskResult.objects.filter(pk=stored.pk).update(started_at=timezone.now() - timedelta(minutes=1))
    stored.refresh_from_db()
    return stored


def _worker_runs(stored: DBTaskResult) -> None:
    """db_worker's own Worker runs the task, in a thread: its signals take and let go of the lock."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="worker-a",
        excluded_queue_names=[],
    )
    try:
        worker.run_task(stored)
    finally:
        connection.close()


@pytest.mark.skipif(not POSTGRESQL, reason="the workers' locks are PostgreSQL's")
def test_a_task_whose_worker_runs_stays_its_own_and_goes_back_to_the_queue_once_the_worker_is_gone(taken):
    worker = threading.Thread(target=_worker_runs, args=(taken,))
    worker.start()
    try:
        assert _running.wait(10)
        assert tasks_recover() == []  # its worker holds it, however long it runs
    finally:
        _release.set()
        worker.join(20)
    done = DBTaskResult.objects.get(pk=taken.pk)
    assert done.status == "SUCCESSFUL" and done.return_value == "fini"
    assert tasks_recover() == []  # done: nothing to put back
    # A worker that dies in the middle leaves it « running », its lock gone with its connection.
    DBTaskResult.objects.filter(pk=taken.pk).update(status="RUNNING")
    assert tasks_recover() == [str(taken.pk)]
    again = DBTaskResult.objects.get(pk=taken.pk)
    assert again.status == "READY" and again.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=taken.pk).exists()  # the next worker takes it
    assert tasks_recover() == []


@pytest.mark.skipif(not POSTGRESQL, reason="the workers' locks are PostgreSQL's")
def test_a_task_just_taken_is_left_to_its_worker(taken):
    DBTaskResult.objects.filter(pk=taken.pk).update(started_at=timezone.now())
    assert tasks_recover() == []  # within the grace: its worker may not hold its lock yet


@pytest.mark.skipif(POSTGRESQL, reason="SQLite only")
def test_on_sqlite_nothing_is_put_back(taken):
    assert tasks_recover() == []
    assert DBTaskResult.objects.get(pk=taken.pk).status == "RUNNING"
