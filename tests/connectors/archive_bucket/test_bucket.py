"""Archive packages deposited in an S3-compatible bucket (a real local server: moto's server mode):
the package and its checksum object, a second deposit that writes nothing, a different package
under a taken name refused, a damaged package never sent, an unreachable server or a missing bucket
each said clearly."""

import hashlib
import io
import subprocess

import pytest

from guichet.archives.models import ArchiveTransfer, TransferStatus
from guichet.archives.transfers import transfers_run
from guichet.connectors.archive_bucket.connector import BucketArchive
from guichet.connectors.base import ArchiveReplyCode, ConnectorRejected, ConnectorUnavailable
from guichet.connectors.registry import connector_for
from tests.archives.test_transfers import dossiers_due
from tests.connectors.archive_bucket.s3_server import s3_server_started

BUCKET = "archives-mairie"


@pytest.fixture(scope="module")
def s3():
    with s3_server_started() as server:
        yield server


@pytest.fixture
def bucket(s3, settings):
    client = s3.client()
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": s3.region})
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    settings.GUICHET_VITAM_URL = ""
    settings.GUICHET_ARCHIVE_BUCKET = BUCKET
    settings.GUICHET_ARCHIVE_BUCKET_PREFIX = "versements/"
    settings.GUICHET_ARCHIVE_S3_ENDPOINT = s3.endpoint
    settings.GUICHET_ARCHIVE_S3_REGION = s3.region
    settings.GUICHET_ARCHIVE_S3_ACCESS_KEY = s3.access_key
    settings.GUICHET_ARCHIVE_S3_SECRET_KEY = s3.secret_key
    return client


PACKAGE = b"PK\x03\x04 a package " * 1000


def digest(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


def test_a_package_and_its_checksum_object_land_in_the_bucket(bucket, tmp_path):
    connector = connector_for("archive_transfer")
    assert isinstance(connector, BucketArchive)

    deposit = connector.deposit(sip=io.BytesIO(PACKAGE), sip_name="GUICHET-2026-000042-1", sha512=digest(PACKAGE))

    stored = bucket.get_object(Bucket=BUCKET, Key="versements/GUICHET-2026-000042-1.zip")["Body"].read()
    assert stored == PACKAGE
    checksum = bucket.get_object(Bucket=BUCKET, Key="versements/GUICHET-2026-000042-1.zip.sha512")["Body"].read()
    # What a collector checks with sha512sum -c, once both are downloaded beside each other.
    (tmp_path / "GUICHET-2026-000042-1.zip").write_bytes(stored)
    (tmp_path / "GUICHET-2026-000042-1.zip.sha512").write_bytes(checksum)
    verify = ["sha512sum", "-c", "GUICHET-2026-000042-1.zip.sha512"]
    subprocess.run(verify, cwd=tmp_path, check=True, capture_output=True)  # noqa: S603, S607
    assert connector.status(deposit.operation_id).done
    reply = connector.reply(deposit.operation_id)
    assert reply.code == ArchiveReplyCode.OK and reply.atr_xml is None and BUCKET in reply.message


def test_the_same_package_twice_writes_nothing_and_another_one_under_its_name_is_refused(bucket):
    connector = connector_for("archive_transfer")
    connector.deposit(sip=io.BytesIO(PACKAGE), sip_name="GUICHET-1-1", sha512=digest(PACKAGE))
    before = bucket.head_object(Bucket=BUCKET, Key="versements/GUICHET-1-1.zip")["LastModified"]

    connector.deposit(sip=io.BytesIO(PACKAGE), sip_name="GUICHET-1-1", sha512=digest(PACKAGE))
    assert bucket.head_object(Bucket=BUCKET, Key="versements/GUICHET-1-1.zip")["LastModified"] == before

    other = PACKAGE + b"!"
    with pytest.raises(ConnectorRejected, match="contient déjà un autre paquet"):
        connector.deposit(sip=io.BytesIO(other), sip_name="GUICHET-1-1", sha512=digest(other))
    assert bucket.get_object(Bucket=BUCKET, Key="versements/GUICHET-1-1.zip")["Body"].read() == PACKAGE


def test_a_package_that_is_not_the_one_built_is_never_sent(bucket, tmp_path):
    path = tmp_path / "paquet.zip"
    path.write_bytes(PACKAGE)
    with pytest.raises(ConnectorRejected, match="ne correspond pas à son empreinte"):
        connector_for("archive_transfer").deposit(sip=path, sip_name="GUICHET-2-1", sha512=digest(b"autre"))
    assert "Contents" not in bucket.list_objects_v2(Bucket=BUCKET)


def test_a_missing_bucket_is_a_setting_to_fix_and_an_unreachable_server_a_later_try(bucket, settings):
    settings.GUICHET_ARCHIVE_BUCKET = "compartiment-absent"
    with pytest.raises(ConnectorRejected, match="a refusé le dépôt : NoSuchBucket"):
        connector_for("archive_transfer").deposit(sip=io.BytesIO(PACKAGE), sip_name="G-3-1", sha512=digest(PACKAGE))
    settings.GUICHET_ARCHIVE_BUCKET = BUCKET
    settings.GUICHET_ARCHIVE_S3_ENDPOINT = "http://127.0.0.1:9"  # nothing listens there
    settings.GUICHET_ARCHIVE_S3_TIMEOUT = 1
    with pytest.raises(ConnectorUnavailable, match="injoignable"):
        connector_for("archive_transfer").deposit(sip=io.BytesIO(PACKAGE), sip_name="G-3-1", sha512=digest(PACKAGE))


def test_a_package_not_there_is_unknown(bucket):
    with pytest.raises(ConnectorRejected, match="ne contient pas le paquet"):
        connector_for("archive_transfer").status("GUICHET-9-1.zip")


@pytest.mark.django_db
@pytest.mark.slow
def test_the_worker_transfers_a_dossier_to_the_bucket(bucket, settings, tmp_path):
    settings.GUICHET_ARCHIVE_WORK_DIR = tmp_path / "work"
    (dossier,) = dossiers_due()

    report = transfers_run()

    assert report.accepted == 1
    transfer = ArchiveTransfer.objects.get(dossier=dossier)
    stored = bucket.get_object(Bucket=BUCKET, Key=f"versements/{transfer.sip_name}.zip")["Body"].read()
    assert hashlib.sha512(stored).hexdigest() == transfer.sip_sha512
    assert transfer.status == TransferStatus.ACCEPTED and transfer.target == "archive_bucket"
