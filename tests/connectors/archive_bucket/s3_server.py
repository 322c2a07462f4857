"""A real S3-compatible server on 127.0.0.1 for the tests: moto in server mode (an HTTP server that
implements S3's REST API, buckets and objects in memory), started on a free port."""

import socket
from contextlib import closing, contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str = "guichet-test"
    secret_key: str = "guichet-test-secret"  # noqa: S105 (a throwaway server's)
    region: str = "eu-west-3"

    def client(self):
        import boto3  # noqa: PLC0415

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def s3_server_started():
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(endpoint=f"http://127.0.0.1:{port}")
    finally:
        server.stop()
