"""A task left « running » by a worker that died is put back in the queue, and only then: a worker
holds a lock per task while it runs it (guichet/core/task_recovery.py, decision 0057)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks.signals import task_finished, task_started
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from guichet.core.task_recovery import tasks_recover

pytestmark = pytest.mark.django_db


@task()
def noted(*, text: str) -> str:
    return text


@pytest.fixture
def taken(settings):
    """A task of the database queue, taken by a worker a minute ago."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    result = noted.enqueue(text="bonjour")
    stored = DBTaskResult.objects.get(pk=result.id)
    stored.claim("worker-a")
    DBTaskResult.objects.filter(pk=stored.pk).update(started_at=timezone.now() - timedelta(minutes=1))
    return stored


def _worker(stored: DBTaskResult, running: threading.Event, finish: threading.Event) -> None:
    """A worker (a thread: a database connection of its own) running the task until `finish`."""
    task_started.send(sender=DatabaseBackend, task_result=stored.task_result)
    running.set()
    finish.wait(10)
    task_finished.send(sender=DatabaseBackend, task_result=stored.task_result)
    connection.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the workers' locks are PostgreSQL's")
def test_a_task_whose_worker_runs_stays_its_own_and_goes_back_to_the_queue_once_the_worker_is_gone(taken):
    running, finish = threading.Event(), threading.Event()
    worker = threading.Thread(target=_worker, args=(taken, running, finish))
    worker.start()
    running.wait(10)
    try:
        assert tasks_recover() == []  # its worker holds it
    finally:
        finish.set()
        worker.join(10)
    DBTaskResult.objects.filter(pk=taken.pk).update(status="RUNNING")  # as if its worker had died in it
    assert tasks_recover() == [str(taken.pk)]
    again = DBTaskResult.objects.get(pk=taken.pk)
    assert again.status == "READY" and again.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=taken.pk).exists()  # the next worker takes it
    assert tasks_recover() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the workers' locks are PostgreSQL's")
def test_a_task_just_taken_is_left_to_its_worker(taken):
    DBTaskResult.objects.filter(pk=taken.pk).update(started_at=timezone.now())
    assert tasks_recover() == []  # within the grace: its worker may not hold its lock yet


def test_on_sqlite_nothing_is_put_back(taken):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    assert tasks_recover() == []
    assert DBTaskResult.objects.get(pk=taken.pk).status == "RUNNING"
