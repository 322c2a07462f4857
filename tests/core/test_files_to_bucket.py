"""`manage.py files_to_bucket` against a real local S3 server (moto's server mode): an instance's files
copied under the same names, each verified by its SHA-256; a second run copies nothing; a damaged
copy is replaced; an interrupted run finishes when started again; a disk-only instance is refused."""

import hashlib
from io import StringIO

import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from config.settings.base import s3_storages
from guichet.core.file_moving import files_move
from tests.connectors.archive_bucket.s3_server import s3_server_started

FILES = {
    "dossiers/12/justificatif.pdf": b"%PDF-1.7 justificatif" * 1000,
    "dossiers/12/photo.jpg": b"\xff\xd8\xff photo",
    "actes/arrete-2026-0001.pdf": b"%PDF-1.7 acte",
    "exports/etat-civil-3.csv": "numéro;état\n1;accepté\n".encode(),
}


@pytest.fixture(scope="module")
def s3():
    with s3_server_started() as server:
        yield server


@pytest.fixture
def bucket(s3, settings, request):
    name = "transfert-" + hashlib.sha256(request.node.name.encode()).hexdigest()[:12]
    s3.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": s3.region})
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(
            bucket=name, endpoint=s3.endpoint, region=s3.region, access_key=s3.access_key, secret_key=s3.secret_key
        ),
    }
    return name


@pytest.fixture
def disk(tmp_path):
    for name, content in FILES.items():
        path = tmp_path / "private" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return tmp_path / "private"


def _run(folder) -> str:
    out = StringIO()
    call_command("files_to_bucket", "--stockage", "private", "--dossier", str(folder), stdout=out, stderr=out)
    return out.getvalue()


def test_every_file_is_copied_under_its_name_then_nothing_twice(bucket, disk, s3):
    output = _run(disk)
    assert "4 fichier(s) copié(s)" in output
    assert "0 déjà présent(s), 0 en échec" in output
    private = storages["private"]
    for name, content in FILES.items():
        with private.open(name, "rb") as stored:
            assert stored.read() == content
    keys = {item["Key"] for item in s3.client().list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {f"private/{name}" for name in FILES}

    again = _run(disk)
    assert "0 fichier(s) copié(s) (0 octets), 4 déjà présent(s), 0 en échec" in again
    assert (disk / "actes/arrete-2026-0001.pdf").exists()  # the disk's files are kept


def test_a_damaged_copy_in_the_bucket_is_replaced(bucket, disk, s3):
    s3.client().put_object(Bucket=bucket, Key="private/dossiers/12/photo.jpg", Body=b"tronque")
    output = _run(disk)
    assert "4 fichier(s) copié(s)" in output
    with storages["private"].open("dossiers/12/photo.jpg", "rb") as stored:
        assert stored.read() == FILES["dossiers/12/photo.jpg"]


def test_an_interrupted_move_finishes_when_run_again(bucket, disk):
    seen = []

    def interrupted(name, outcome):
        seen.append(name)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        files_move(folder=disk, target=storages["private"], on_file=interrupted)

    output = _run(disk)
    assert "2 fichier(s) copié(s)" in output
    assert "2 déjà présent(s), 0 en échec" in output


def test_a_missing_bucket_fails_every_file_and_says_so(s3, settings, disk):
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(
            bucket="absent", endpoint=s3.endpoint, region=s3.region, access_key=s3.access_key, secret_key=s3.secret_key
        ),
    }
    with pytest.raises(CommandError, match="4 fichier"):
        _run(disk)


def test_an_instance_still_on_disk_is_refused(settings, disk):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": disk}},
    }
    with pytest.raises(CommandError, match="GUICHET_S3_BUCKET"):
        _run(disk)
