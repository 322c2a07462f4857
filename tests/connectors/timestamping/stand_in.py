"""A stand-in RFC 3161 timestamping authority: an HTTP server on 127.0.0.1 that answers POSTs of
`application/timestamp-query` with an `application/timestamp-reply` (RFC 3161 §3.4) made by
`openssl ts -reply`, signed by a timestamping certificate of the development authority. Its
`script` makes the next answers fail the ways a real authority does."""

import shutil
import subprocess
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from guichet.connectors.seal_dev_authority.authority import DevAuthority, dev_authority_ensure, dev_certificate_issue
from tests.connectors.serving import ServedStandIn

# What the authority can do with a request, besides granting it.
UNAVAILABLE = "unavailable"  # HTTP 503, as during maintenance
SILENT = "silent"  # no answer at all (until the stand-in stops)
BAD_REQUEST = "bad_request"  # HTTP 400
REJECTION = "rejection"  # HTTP 200 with an RFC 3161 refusal (PKIStatus rejection, badAlg)
NOT_A_REPLY = "not_a_reply"  # HTTP 200 with an HTML page, as a misconfigured proxy answers
GARBLED = "garbled"  # HTTP 200, the right type, bytes that are no DER
GRANTED = "granted"

CONFIG = """[ tsa ]
default_tsa = guichet
[ guichet ]
serial = {directory}/serial
crypto_device = builtin
signer_cert = {directory}/tsa.pem
certs = {directory}/ca.pem
signer_key = {directory}/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class StandInTsa(ServedStandIn):
    def __init__(self, directory: Path, authority: DevAuthority):
        self.openssl = shutil.which("openssl") or "openssl"
        directory.mkdir(parents=True)
        certificate, key = dev_certificate_issue(authority, common_name="Horodatage de test", timestamping=True)
        (directory / "tsa.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        (directory / "tsa.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        shutil.copy(authority.ca_certificate, directory / "ca.pem")
        (directory / "serial").write_text("01\n")
        (directory / "tsa.cnf").write_text(CONFIG.format(directory=directory))
        self.directory = directory
        self.certificate = certificate
        self.script: list[str] = []  # the next answers, then GRANTED
        self.answered: list[str] = []  # what each request got, in order
        self._lock = threading.Lock()
        self._numbers = count()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/tsa"

    def _next(self) -> str:
        with self._lock:
            behaviour = self.script.pop(0) if self.script else GRANTED
            self.answered.append(behaviour)
            return behaviour

    def _reply(self, query: bytes) -> bytes:
        with self._lock:  # openssl updates the serial file: one reply at a time
            number = next(self._numbers)
            query_file, reply_file = self.directory / f"{number}.tsq", self.directory / f"{number}.tsr"
            query_file.write_bytes(query)
            subprocess.run(  # noqa: S603 (fixed arguments)
                [self.openssl, "ts", "-reply", "-config", str(self.directory / "tsa.cnf")]
                + ["-queryfile", str(query_file), "-out", str(reply_file)],
                check=True,
                capture_output=True,
            )
            return reply_file.read_bytes()


def _handler(tsa: StandInTsa):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            behaviour = tsa._next()
            if behaviour == SILENT:
                tsa._released.wait(10)
            elif behaviour == UNAVAILABLE:
                self._answer(503, "text/plain", b"maintenance")
            elif behaviour == BAD_REQUEST or self.headers.get("Content-Type") != "application/timestamp-query":
                self._answer(400, "text/plain", b"bad request")
            elif behaviour == REJECTION:
                self._answer(200, "application/timestamp-reply", _rejection())
            elif behaviour == GARBLED:
                self._answer(200, "application/timestamp-reply", b"\x30\x82garbled")
            elif behaviour == NOT_A_REPLY:
                self._answer(200, "text/html", b"<html><body>Proxy</body></html>")
            else:
                self._answer(200, "application/timestamp-reply", tsa._reply(query))

        def _answer(self, status: int, content_type: str, body: bytes):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return Handler


def _rejection() -> bytes:
    from asn1crypto import core, tsp

    class Refusal(core.Sequence):  # a TimeStampResp without its token (RFC 3161 §2.4.2)
        _fields = [("status", tsp.PKIStatusInfo)]

    status = {"status": "rejection", "status_string": ["algorithme non reconnu"], "fail_info": {"bad_alg"}}
    return Refusal({"status": status}).dump()


@contextmanager
def stand_in_tsa(directory: Path):
    """The stand-in authority, running, certified by the development authority; skipped where
    openssl is missing."""
    import pytest

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    authority, _ = dev_authority_ensure()
    with StandInTsa(directory, authority) as tsa:
        yield tsa
