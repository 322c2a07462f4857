"""The RFC 3161 client against a stand-in authority: what it retries, what it gives up on, and the
error each failure becomes (an act's generation records it for the instructors)."""

import asyncio
import hashlib
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from guichet.connectors.base import ConnectorRejected, ConnectorTimeout, ConnectorUnavailable
from guichet.connectors.http import HttpPolicy
from guichet.connectors.timestamping.connector import TsaTimestamping
from tests.connectors.timestamping.stand_in import (
    BAD_REQUEST,
    GARBLED,
    GRANTED,
    NOT_A_REPLY,
    REJECTION,
    SILENT,
    UNAVAILABLE,
)

DIGEST = hashlib.sha256(b"Accuse de reception du dossier 2026-000042").digest()


def timestamp(url: str, **policy):
    connector = TsaTimestamping(url=url, policy=HttpPolicy(**{"timeout": 5, "backoff": 0, **policy}))
    # In a thread of its own: a browser test run before in this worker may leave an event loop running.
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(lambda: asyncio.run(connector.timestamper().async_timestamp(DIGEST, "sha256"))).result()


def test_a_granted_timestamp_covers_the_digest_and_is_signed_by_the_authority(tsa):
    token = timestamp(tsa.url)
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == DIGEST
    (signer,) = token["content"]["signer_infos"]
    assert signer["sid"].chosen["serial_number"].native == tsa.certificate.serial_number
    assert tsa.answered == [GRANTED]


def test_an_authority_in_maintenance_is_asked_again(tsa):
    tsa.script = [UNAVAILABLE, UNAVAILABLE]
    timestamp(tsa.url, attempts=3)
    assert tsa.answered == [UNAVAILABLE, UNAVAILABLE, GRANTED]


def test_an_authority_unavailable_at_every_attempt_fails_as_unavailable(tsa):
    tsa.script = [UNAVAILABLE] * 3
    with pytest.raises(ConnectorUnavailable, match="indisponible : HTTP 503") as caught:
        timestamp(tsa.url, attempts=3)
    assert not isinstance(caught.value, ConnectorTimeout)
    assert tsa.answered == [UNAVAILABLE] * 3


def test_an_authority_that_does_not_answer_times_out(tsa):
    tsa.script = [SILENT, SILENT]
    with pytest.raises(ConnectorTimeout, match="pas de réponse en 0.2 s"):
        timestamp(tsa.url, timeout=0.2, attempts=2)
    assert tsa.answered == [SILENT, SILENT]


def test_nobody_listening_is_unavailable():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectorUnavailable, match="injoignable"):
        timestamp(f"http://127.0.0.1:{port}/tsa", attempts=2)


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (BAD_REQUEST, "a refusé la demande : HTTP 400"),
        (REJECTION, "a refusé l’horodatage (rejection) : algorithme non reconnu; bad_alg"),
        (NOT_A_REPLY, "autre chose qu’un horodatage (text/html)"),
        (GARBLED, "a répondu un horodatage illisible"),
    ],
)
def test_a_refusal_is_not_asked_again(tsa, behaviour, message):
    tsa.script = [behaviour]
    with pytest.raises(ConnectorRejected, match=message.replace("(", r"\(").replace(")", r"\)")):
        timestamp(tsa.url, attempts=3)
    assert tsa.answered == [behaviour]
