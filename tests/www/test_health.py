"""The health endpoints a load balancer asks: /sante/vivant answers without the database, /sante/pret
checks the database, the files' storage (disk or bucket) and the task queue, and says in JSON what
failed with a 503; neither opens a session nor is ever limited."""

import pytest
from django.contrib.sessions.models import Session
from django.core.files.storage import storages

from config.settings.base import s3_storages
from tests.connectors.archive_bucket.s3_server import s3_server_started

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3():
    with s3_server_started() as server:
        yield server


def _bucket_storages(s3, bucket, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(
            bucket=bucket, endpoint=s3.endpoint, region=s3.region, access_key=s3.access_key, secret_key=s3.secret_key
        ),
    }


def test_alive_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/sante/vivant")
    assert response.status_code == 200
    assert response.json() == {"statut": "vivant"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_database_storage_queue_and_cache_answer(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    response = client.get("/sante/pret")
    assert response.status_code == 200
    assert response.json() == {"statut": "pret"}


def test_not_ready_names_an_unwritable_storage_folder(client, settings, tmp_path):
    blocker = tmp_path / "un-fichier"
    blocker.write_text("pas un dossier")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocker / "private"},
        },
    }
    response = client.get("/sante/pret")
    assert response.status_code == 503
    body = response.json()
    assert body["statut"] == "indisponible"
    assert list(body["echecs"]) == ["stockage"]


def test_ready_with_the_bucket_and_not_ready_without_it(client, settings, s3):
    s3.client().create_bucket(Bucket="sante", CreateBucketConfiguration={"LocationConstraint": s3.region})
    _bucket_storages(s3, "sante", settings)
    assert client.get("/sante/pret").status_code == 200

    _bucket_storages(s3, "seau-absent", settings)
    assert "bucket_name" in vars(storages["private"])
    response = client.get("/sante/pret")
    assert response.status_code == 503
    assert list(response.json()["echecs"]) == ["stockage"]


def test_health_opens_no_session_and_is_never_limited(client):
    before = Session.objects.count()
    for _ in range(60):
        for path in ("/sante/vivant", "/sante/pret"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "sessionid" not in response.cookies
    assert Session.objects.count() == before
    assert client.post("/sante/pret").status_code == 405


def test_not_ready_names_a_shared_cache_out_of_reach(client, settings):
    # Redis (GUICHET_REDIS_URL) holds the sessions read and the limits counted: a node that cannot
    # reach it is taken out of the balancer's rotation. Nothing listens on port 1.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/sante/pret")
    assert response.status_code == 503
    assert response.json()["echecs"] == {"cache": "ConnectionError"}
