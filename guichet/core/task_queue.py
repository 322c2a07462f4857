"""Tasks that must run once the current transaction commits (decision 0056): every task that a
service or a follow-up step enqueues (follow-up chains, emails, webhooks, exports, bulk actions…).

With django-tasks-db's backend, the queue is a table of our own database: the task's row is written
in the transaction itself, a transactional outbox. The worker sees it when the transaction commits,
never before; a rollback takes it away with the writes that asked for it; and the request commits
once, not twice (no second transaction after the first for the task alone). With any other backend
(the tests' immediate one, a broker), the task is sent after the commit, as Django's `on_commit`
does: running or sending it earlier would act on writes that may still be undone."""

from django.db import router, transaction
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def task_enqueue_after_commit(task: Task, *args, **kwargs) -> None:
    """Have `task` run with `args` and `kwargs` once the current transaction (if any) commits."""
    using = router.db_for_write(DBTaskResult)
    if isinstance(task.get_backend(), DatabaseBackend) and transaction.get_connection(using).in_atomic_block:
        task.enqueue(*args, **kwargs)
        return
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), using=using)
