"""Files stored and read per second: the disk against an S3-compatible bucket on the local server
(moto's server mode, tests/connectors/archive_bucket/s3_server.py), through the storages Guichet
configures (config/settings/base.py: s3_storages). Each file is an attachment-sized 200 KB PDF-like
blob, saved under a fresh name then read back whole, one after the other, as a web process does.

The local server keeps objects in memory and speaks HTTP on the loopback: the figures show the cost
of the S3 protocol and of the client (signing, one HEAD before each save for a free name, a HEAD and
a GET for each read), not a real network's latency.

`python -m bench.storage [count]` runs it alone; `storage_figures(count)` gives the figures to
bench/run.py."""

import logging
import os
import sys
import tempfile
import time
from pathlib import Path

FILES = 200
CONTENT = b"%PDF-1.7\n" + os.urandom(200 * 1024)


def _rates(storage, count: int) -> tuple[float, float]:
    from django.core.files.base import ContentFile

    started = time.perf_counter()
    names = [storage.save(f"bench/{index}.pdf", ContentFile(CONTENT)) for index in range(count)]
    stored = time.perf_counter() - started
    started = time.perf_counter()
    for name in names:
        with storage.open(name, "rb") as handle:
            if len(handle.read()) != len(CONTENT):
                raise RuntimeError(f"storage bench: {name} read back short")
    read = time.perf_counter() - started
    return count / stored, count / read


def storage_figures(count: int = FILES) -> list:
    from django.core.files.storage import FileSystemStorage
    from storages.backends.s3 import S3Storage

    from bench.run import Figure
    from config.settings.base import s3_storages
    from tests.connectors.archive_bucket.s3_server import s3_server_started

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    with tempfile.TemporaryDirectory() as folder:
        disk_stored, disk_read = _rates(FileSystemStorage(location=folder), count)
    with s3_server_started() as server:
        server.client().create_bucket(Bucket="bench", CreateBucketConfiguration={"LocationConstraint": server.region})
        options = s3_storages(
            bucket="bench",
            endpoint=server.endpoint,
            region=server.region,
            access_key=server.access_key,
            secret_key=server.secret_key,
        )["private"]["OPTIONS"]
        bucket_stored, bucket_read = _rates(S3Storage(**options), count)
    return [
        Figure("storage_disk_files_stored_per_second", disk_stored, "files/s"),
        Figure("storage_disk_files_read_per_second", disk_read, "files/s"),
        Figure("storage_s3_files_stored_per_second", bucket_stored, "files/s", baseline=disk_stored),
        Figure("storage_s3_files_read_per_second", bucket_read, "files/s", baseline=disk_read),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    for figure in storage_figures(int(sys.argv[1]) if len(sys.argv) > 1 else FILES):
        print(figure.line(), flush=True)
