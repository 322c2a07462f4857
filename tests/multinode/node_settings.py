"""Settings of the processes that the multi-node test and the soak start (tests/multinode/cluster.py):
the tests' settings (fast password hashes, static files from the apps' folders), with what a node
shares with the others in production: PostgreSQL (DATABASE_URL), Redis (GUICHET_REDIS_URL: cache and
sessions), the bucket (GUICHET_S3_*), the database task queue, and emails written one file each
(EMAIL_FILE_PATH) so that they can be counted."""

import os

from config.settings import base
from config.settings.test import *  # noqa: F403
from config.settings.test import STORAGES

STORAGES = STORAGES | base.s3_storages(
    bucket=os.environ["GUICHET_S3_BUCKET"],
    endpoint=os.environ["GUICHET_S3_ENDPOINT"],
    region=os.environ["GUICHET_S3_REGION"],
    access_key=os.environ["GUICHET_S3_ACCESS_KEY"],
    secret_key=os.environ["GUICHET_S3_SECRET_KEY"],
)
TASKS = base.TASKS  # the queue in the database, shared by the workers (not the tests' immediate one)
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
# A slow page and a slow task, to see a node stopped with SIGTERM finish what it was doing.
ROOT_URLCONF = "tests.multinode.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
