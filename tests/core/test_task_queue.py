"""A task asked for in a transaction runs only once it commits: with the database queue its row is
written in the transaction itself (one commit, undone with it), with another backend it is sent
after the commit (guichet/core/task_queue.py)."""

import pytest
from django.db import transaction
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from guichet.core.task_queue import task_enqueue_after_commit

_ran: list[int] = []


@task()
def noted(*, number: int) -> None:
    _ran.append(number)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "guichet.core.task_queue.TaskDatabaseBackend", "QUEUES": ["default"]}}


class _Undone(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_task_is_written_in_the_transaction_and_undone_with_it(database_queue):
    with transaction.atomic():
        task_enqueue_after_commit(noted, number=1)
        # In the transaction: no hook waits for the commit, the row is there for this connection.
        assert not transaction.get_connection().run_on_commit
        assert DBTaskResult.objects.filter(task_path__endswith=".noted").count() == 1
    assert DBTaskResult.objects.get(task_path__endswith=".noted").args_kwargs == {"args": [], "kwargs": {"number": 1}}

    with pytest.raises(_Undone), transaction.atomic():
        task_enqueue_after_commit(noted, number=2)
        raise _Undone
    assert DBTaskResult.objects.filter(task_path__endswith=".noted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_database_queue_gets_the_task_at_once(database_queue):
    task_enqueue_after_commit(noted, number=3)
    assert DBTaskResult.objects.filter(task_path__endswith=".noted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_another_backend_gets_the_task_after_the_commit_only():
    _ran.clear()
    with pytest.raises(_Undone), transaction.atomic():
        task_enqueue_after_commit(noted, number=4)
        raise _Undone
    assert _ran == []
    with transaction.atomic():
        task_enqueue_after_commit(noted, number=5)
        assert _ran == []  # the tests' immediate backend would have run it already
    assert _ran == [5]


@pytest.mark.django_db(transaction=True)
def test_the_backend_writes_the_row_that_django_tasks_db_writes(settings):
    """TaskDatabaseBackend inserts by SQL built once: the same columns as django-tasks-db's own."""
    rows = []
    for backend in ("django_tasks_db.DatabaseBackend", "guichet.core.task_queue.TaskDatabaseBackend"):
        settings.TASKS = {"default": {"BACKEND": backend, "QUEUES": ["default"]}}
        result = noted.using(priority=7).enqueue(number=6)
        row = DBTaskResult.objects.values().get(id=result.id)
        assert result.status == row["status"] and result.enqueued_at == row["enqueued_at"]
        rows.append({key: value for key, value in row.items() if key not in {"id", "enqueued_at"}})
    assert rows[0] == rows[1]
