from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "guichet.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self) -> None:
        from django_tasks.signals import task_finished, task_started

        from . import checks  # noqa: F401 (registers the system checks)
        from .db_adapters import db_adapters_connect
        from .task_recovery import task_lock_let_go, task_lock_take

        # A worker holds a lock per task while it runs it: a task whose worker died is put back in
        # the queue (task_recovery.py).
        task_started.connect(task_lock_take, dispatch_uid="guichet.task_lock_take")
        task_finished.connect(task_lock_let_go, dispatch_uid="guichet.task_lock_let_go")
        # Each model's choices dumped by psycopg as the strings or integers they are (db_adapters.py).
        db_adapters_connect()
