"""Benchmarks: production-like settings (no debug) on a database of their own under var/bench/, or
the PostgreSQL database BENCH_DATABASE_URL names (`python -m bench.exports --postgresql`)."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR, database_settings

DEBUG = False
SECRET_KEY = "bench-only-not-secret-" + "x" * 40  # noqa: S105
ALLOWED_HOSTS = ["bench.local"]
ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # loading the demo faster
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "bench" / "private", "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
(VAR_DIR / "bench").mkdir(parents=True, exist_ok=True)
if os.environ.get("BENCH_DATABASE_URL"):
    DATABASES = {"default": database_settings(os.environ["BENCH_DATABASE_URL"])}
else:
    DATABASES = {"default": database_settings(None)}
    DATABASES["default"]["NAME"] = VAR_DIR / "bench" / "bench.sqlite3"
# The back office's figures measure its pages, not the sign-in: its instructor signs in with a
# password alone (the second factor, mandatory for agents elsewhere, is tested by the suite).
GUICHET_SECOND_FACTOR_FOR_INSTRUCTORS = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
