"""Tests: fast password hashing, tasks run at once, emails kept in memory, files in memory (or in a
local S3 server's bucket with GUICHET_TEST_STORAGE=s3)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, s3_storages

DEBUG = False
SECRET_KEY = "test-only-not-secret-" + "x" * 40  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "emails"],
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("GUICHET_TEST_STORAGE") == "s3":
    # The whole suite with its files in a bucket: one local S3 server (moto) per test process.
    from .test_bucket import test_bucket_started

    STORAGES |= s3_storages(**test_bucket_started())
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file rather than the in-memory default, so that tests with several threads get real,
    # separate connections that lock as in production.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # A test database is thrown away: no waiting for the disk at each commit or checkpoint.
    DATABASES["default"]["OPTIONS"]["init_command"] = DATABASES["default"]["OPTIONS"]["init_command"].replace(
        "synchronous=NORMAL", "synchronous=OFF"
    )

# A read replica that reads the primary's test database (TEST MIRROR). The router sends nothing there
# unless a test turns replicas on (GUICHET_REPLICA_ALIASES, tests/core/replicas.py) and names the
# alias among its databases.
DATABASES.setdefault("replica1", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})
if DATABASES["replica1"]["ENGINE"] == "django.db.backends.sqlite3":
    # Only read through: no write transaction taken at each BEGIN, no journal mode to set.
    DATABASES["replica1"]["OPTIONS"] = {"timeout": 20}
GUICHET_REPLICA_ALIASES: list[str] = []

# Static files come from the apps' folders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
AXES_VERBOSE = False

# The tests' webhook receivers listen on the loopback, over plain HTTP: allowed here only.
GUICHET_WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
GUICHET_WEBHOOKS_HTTPS_ONLY = False
GUICHET_WEBHOOKS_TIMEOUT = 5
GUICHET_DATA_SOURCES_DEMO = False  # the tests choose their source: a stand-in, or none
