"""One webhook POST to a checked target (targets.py): connected to the address checked, the Host
header and the TLS certificate checked against the name written in the URL, no redirect followed,
a timeout for the connection and for each read, and only the start of the answer read, within the
attempt's time."""

import time
from dataclasses import dataclass

import urllib3

from ..base import ConnectorTimeout, ConnectorUnavailable
from .targets import Target

EXCERPT_BYTES = 2000  # read at most this much of an answer; 500 characters are kept
EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Answer:
    status: int
    duration_ms: int
    excerpt: str
    retry_after: int | None  # seconds, when the receiver asked (429, 503)


def _retry_after(value: str | None) -> int | None:
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


def _excerpt_read(response, *, deadline: float) -> bytes:
    """The start of the answer's body, read until EXCERPT_BYTES, its end or `deadline`: each read
    waits at most what is left, so that a body trickled a byte at a time (each within the read
    timeout) cannot hold the worker past the attempt's time. The status is known already."""
    raw = b""
    sock = getattr(response.connection, "sock", None)
    while len(raw) < EXCERPT_BYTES:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if sock is not None:
            sock.settimeout(left)
        try:
            chunk = response.read1(EXCERPT_BYTES - len(raw))
        except (urllib3.exceptions.HTTPError, OSError):
            break  # cut short or too slow: the status is what counts, the excerpt is what came
        if not chunk:
            break
        raw += chunk
    return raw


def webhook_post(*, target: Target, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body` to `target`. Returns the answer, whatever its status; ConnectorTimeout or
    ConnectorUnavailable when none came."""
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    if ":" in target.host:  # an IPv6 literal
        host_header = f"[{target.host}]" if target.port in (80, 443) else f"[{target.host}]:{target.port}"
    options = {"timeout": urllib3.Timeout(connect=min(timeout, 10), read=timeout), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            str(target.address),
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(str(target.address), target.port, **options)
    started = time.monotonic()
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            raw = _excerpt_read(response, deadline=started + timeout)
        finally:
            response.release_conn()
    except urllib3.exceptions.NewConnectionError as error:  # a subclass of the timeouts, in urllib3 2
        raise ConnectorUnavailable(f"injoignable : {error.__context__ or error}") from error
    except urllib3.exceptions.TimeoutError as error:
        raise ConnectorTimeout(f"pas de réponse en {timeout:g} s") from error
    except urllib3.exceptions.HTTPError as error:
        raise ConnectorUnavailable(f"injoignable : {type(error).__name__}") from error
    finally:
        pool.close()
    duration_ms = round((time.monotonic() - started) * 1000)
    excerpt = raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    return Answer(
        status=response.status,
        duration_ms=duration_ms,
        excerpt=excerpt,
        retry_after=_retry_after(response.headers.get("Retry-After")),
    )
