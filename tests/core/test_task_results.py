"""The worker's finished task results hold what the tasks were given (a rendered email: an address,
a name, a dossier's number): the daily round deletes them some days after they finished, so that
nothing of an eliminated dossier stays there (decision 0023)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from guichet.core.emails import email_send
from guichet.core.task_results import task_results_prune

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    """The database task backend, as in production (the tests otherwise run tasks at once)."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "emails", "archives"]}
    }


def test_finished_task_results_are_deleted_after_the_days_kept_and_not_before(database_tasks, settings, mailoutbox):
    settings.GUICHET_TASK_RESULTS_KEPT_DAYS = 7
    for n in (1, 2, 3):
        email_send.enqueue(subject="Votre dossier", body=f"Bonjour Zéphyrine-{n}, votre dossier…", to=["z@exemple.fr"])
    call_command("db_worker", batch=True, queue_name="emails", no_startup_delay=True, verbosity=0)
    assert len(mailoutbox) == 3 and DBTaskResult.objects.finished().count() == 3
    old, recent, _ = DBTaskResult.objects.order_by("enqueued_at", "id")
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    DBTaskResult.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - timedelta(days=6))
    waiting = email_send.enqueue(subject="Plus tard", body="Bonjour Zéphyrine-4", to=["z@exemple.fr"])

    assert task_results_prune() == 1
    left = " ".join(str(args) for args in DBTaskResult.objects.values_list("args_kwargs", flat=True))
    assert "Zéphyrine-1" not in left and "Zéphyrine-2" in left and "Zéphyrine-3" in left
    # What is still to run is never deleted, however old.
    assert DBTaskResult.objects.filter(pk=waiting.id).exists()
    # The daily round does it.
    DBTaskResult.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - timedelta(days=30))
    call_command("archives_review", verbosity=0)
    assert not DBTaskResult.objects.filter(pk=recent.pk).exists()
