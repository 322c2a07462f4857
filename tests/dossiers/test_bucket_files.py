"""Attachments in an S3-compatible bucket (a real local server, moto's server mode): the applicant's
upload lands in the bucket under the private prefix, comes back byte for byte through the
permission-checked view (never as a bucket address), stays out of anyone else's reach, and a large
file read from the bucket does not stay in the process's memory."""

import contextlib
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from config.settings.base import s3_storages
from guichet.dossiers.models import DossierFile
from tests.connectors.archive_bucket.s3_server import s3_server_started
from tests.factories import ProcedureFactory, UserFactory
from tests.www.test_usager import DEFINITION, PDF, fill, start

# Its own name: the local S3 server may be shared with the other tests of the process.
BUCKET = f"pieces-jointes-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def s3():
    with s3_server_started() as server:
        client = server.client()
        # moto keeps its buckets for the whole process, and pytest-django may set this module's
        # fixture up twice (it runs the tests without a database last): create the bucket once.
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": server.region})
        yield server


@pytest.fixture
def bucket_storage(s3, settings, monkeypatch):
    options = dict(bucket=BUCKET, endpoint=s3.endpoint, region=s3.region, access_key=s3.access_key)
    settings.STORAGES = {**settings.STORAGES, **s3_storages(**options, secret_key=s3.secret_key)}
    private = storages["private"]
    # The field took its storage when the models were loaded (the test settings' memory).
    monkeypatch.setattr(DossierFile._meta.get_field("content"), "storage", private)
    return private


def test_an_attachment_goes_to_the_bucket_and_back_through_the_checked_view(client, db, bucket_storage, s3):
    owner = UserFactory()
    client.force_login(owner)
    dossier = start(client, ProcedureFactory(draft_definition=DEFINITION, processing_days=30))
    fill(client, dossier)
    stored = DossierFile.objects.get(dossier=dossier)
    key = f"private/{stored.content.name}"
    assert s3.client().get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF

    url = reverse("usager:dossier_file", args=[dossier.pk, stored.key])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert s3.endpoint not in str(download.headers)

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_a_large_file_read_from_the_bucket_spills_to_a_temporary_file(bucket_storage):
    content = b"x" * (3 * 1024 * 1024)
    name = bucket_storage.save("exports/grand.csv", ContentFile(content))
    with bucket_storage.open(name, "rb") as stored:
        assert stored.read(10) == b"x" * 10
        assert stored.file._rolled  # on disk, not in memory
    bucket_storage.delete(name)
