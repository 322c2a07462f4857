"""A real S3-compatible server for the test suite (GUICHET_TEST_STORAGE=s3): moto in server mode,
started once in each test process on a free port of the loopback, with an empty bucket. It stops
with the process (a daemon thread)."""

import logging
import socket
from contextlib import closing

BUCKET = "guichet-tests"
REGION = "eu-west-3"
ACCESS_KEY = "guichet-test"
SECRET_KEY = "guichet-test-secret"  # noqa: S105 (a throwaway server's)


def test_bucket_started() -> dict:
    """Start the server, create the bucket, and return s3_storages()' arguments."""
    import boto3  # noqa: PLC0415
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return {
        "bucket": BUCKET,
        "endpoint": endpoint,
        "region": REGION,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
    }
