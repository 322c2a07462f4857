"""The load benchmark's server: production settings (no debug, persistent database connections) on a
PostgreSQL database of its own, `guichet_bench` unless BENCH_DATABASE_URL says otherwise."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR, database_settings

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/guichet_bench")
DEBUG = False
SECRET_KEY = "bench-only-not-secret-" + "x" * 40  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
# The benchmark's accounts sign in once each, before the measure; a fast hash keeps the set-up short.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {"default": database_settings(DATABASE_URL)}
# The back office's instructor signs in with a password alone: the figures are its pages'.
GUICHET_SECOND_FACTOR_FOR_INSTRUCTORS = False
# One client measures the API's list with one key, faster than the per-key limit allows in production.
GUICHET_API_RATE = os.environ.get("GUICHET_API_RATE", "1000000/m")
DATABASES["default"]["CONN_MAX_AGE"] = 600
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "bench" / "private", "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
if os.environ.get("BENCH_REQUEST_STATS"):
    # What each request costs, measured around the whole stack (bench/request_stats.py).
    MIDDLEWARE = ["bench.request_stats.RequestStatsMiddleware", *MIDDLEWARE]  # noqa: F405
