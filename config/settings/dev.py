"""Development: `make run`. Emails go to the console and to files under var/emails/."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret-" + "x" * 40)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "guichet.core.email_backends.ConsoleAndFileEmailBackend")
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
VAR_DIR.mkdir(parents=True, exist_ok=True)
