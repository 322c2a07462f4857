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
# Archives go to a folder in development (and in the demo): var/archives/depot/, one ZIP per dossier
# with its SHA-512 checksum file. Production sets Vitam's address or its own folder.
GUICHET_ARCHIVE_DIRECTORY = os.environ.get("GUICHET_ARCHIVE_DIRECTORY", str(VAR_DIR / "archives" / "depot"))
# Invoices go to the in-process invoicing platform unless Chorus Pro is configured (the demo's).
GUICHET_INVOICING_DUMMY = env_bool("GUICHET_INVOICING_DUMMY", True)  # noqa: F405
# The demonstration pays its fees on a dummy page (guichet/connectors/payment_dummy), never on PayFiP.
GUICHET_PAYMENT_DUMMY = env_bool("GUICHET_PAYMENT_DUMMY", True)  # noqa: F405
# The demo's webhook receiver (`manage.py webhooks_receiver`) listens on the loopback, over HTTP.
GUICHET_WEBHOOKS_ALLOWED_NETWORKS = env_list("GUICHET_WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.1/32")  # noqa: F405
GUICHET_WEBHOOKS_HTTPS_ONLY = env_bool("GUICHET_WEBHOOKS_HTTPS_ONLY", False)  # noqa: F405
# Fields filled from API Entreprise and API Particulier answer with recorded data (docs/exchange.md).
GUICHET_DATA_SOURCES_DEMO = env_bool("GUICHET_DATA_SOURCES_DEMO", True)  # noqa: F405
# The demo's HubEE is the stand-in that `manage.py serve` starts (tests/connectors/hubee/stand_in.py).
GUICHET_HUBEE_API_URL = os.environ.get("GUICHET_HUBEE_API_URL", "http://127.0.0.1:8002/teledossiers/v1")
GUICHET_HUBEE_TOKEN_URL = os.environ.get("GUICHET_HUBEE_TOKEN_URL", "http://127.0.0.1:8002/oauth2/token")
