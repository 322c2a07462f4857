"""What a load balancer or an orchestrator asks each node (docs/operations.md): is the process up
(no database touched), and can it serve (the database, the files' storage, the task queue and the
shared cache answer).

Each check returns None when it passes, or a short reason; the readiness view names the failures."""

import os
from collections.abc import Callable
from pathlib import Path

from django.core.cache import caches
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connections
from django_tasks import task_backends


def database_problem() -> str | None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means "not ready", with its name
        return type(error).__name__
    return None


def storage_problem(storage: Storage | None = None) -> str | None:
    """The private storage (attachments, acts): its folder writable, or its bucket reachable."""
    storage = storage if storage is not None else storages["private"]
    try:
        if isinstance(storage, FileSystemStorage):
            location = Path(storage.location)
            location.mkdir(parents=True, exist_ok=True)
            if not os.access(location, os.W_OK):
                return "dossier non inscriptible"
        elif hasattr(storage, "bucket_name"):  # django-storages' S3 backend: HEAD on the bucket
            storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        else:
            storage.exists("sante")
    except Exception as error:
        return type(error).__name__
    return None


def queue_problem() -> str | None:
    """The task queue: its table answers (django-tasks-db, the only shared queue configured today;
    the in-process backends of the tests and the demo have nothing to reach)."""
    backend = task_backends["default"]
    if not type(backend).__module__.startswith("django_tasks_db"):
        return None
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 (only with that backend)

    try:
        DBTaskResult.objects.exists()
    except Exception as error:
        return type(error).__name__
    return None


def cache_problem() -> str | None:
    """The default cache: with Redis (GUICHET_REDIS_URL), sessions are read from it and the rate
    limits counted in it, so a node that cannot reach it cannot serve a signed-in page (a cache of
    the process's own always answers)."""
    try:
        caches["default"].get("guichet:sante")
    except Exception as error:
        return type(error).__name__
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "base_de_donnees": database_problem,
    "stockage": storage_problem,
    "file_de_taches": queue_problem,
    "cache": cache_problem,
}


def readiness_problems() -> dict[str, str]:
    """Every failing check by name, with its reason; empty when the node can serve."""
    problems = {}
    for name, check in CHECKS.items():
        reason = check()
        if reason is not None:
            problems[name] = reason
    return problems
