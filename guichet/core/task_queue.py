"""Tasks that must run once the current transaction commits (decision 0056): every task that a
service or a follow-up step enqueues (follow-up chains, emails, webhooks, exports, bulk actions…).

With django-tasks-db's backend, the queue is a table of our own database: the task's row is written
in the transaction itself, a transactional outbox. The worker sees it when the transaction commits,
never before; a rollback takes it away with the writes that asked for it; and the request commits
once, not twice (no second transaction after the first for the task alone). With any other backend
(the tests' immediate one, a broker), the task is sent after the commit, as Django's `on_commit`
does: running or sending it earlier would act on writes that may still be undone.

`TaskDatabaseBackend` is django-tasks-db's backend (settings `TASKS`), its rows written by one INSERT
whose SQL is built once per process (core/prepared_writes.py) instead of compiled at each task: the
same row, the same signal."""

from django.db import router, transaction
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult

from .prepared_writes import row_insert


class TaskDatabaseBackend(DatabaseBackend):
    def _task_to_db_task(self, task: Task, args, kwargs) -> DBTaskResult:
        row = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        return row_insert(row)


def task_enqueue_after_commit(task: Task, *args, **kwargs) -> None:
    """Have `task` run with `args` and `kwargs` once the current transaction (if any) commits."""
    using = router.db_for_write(DBTaskResult)
    if isinstance(task.get_backend(), DatabaseBackend) and transaction.get_connection(using).in_atomic_block:
        task.enqueue(*args, **kwargs)
        return
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), using=using)
