"""The HTTP policy connectors share: a timeout per attempt, a few attempts with exponential backoff
for what may pass (no connection, no answer in time, 502/503/504), and typed errors for the rest."""

import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO

import requests
from urllib3.exceptions import ConnectTimeoutError

from .base import ConnectorOutcomeUnknown, ConnectorRejected, ConnectorTimeout, ConnectorUnavailable

# 429: a quota (PISTE's) says « later », the request was not handled.
RETRIED_STATUSES = frozenset({429, 502, 503, 504})
# After these, a request may have been handled all the same: a gateway that passed it on and got no
# (good) answer from behind (502, 504), or a server that failed in its midst (500).
MAYBE_HANDLED_STATUSES = frozenset({500, 502, 504})


@dataclass(frozen=True)
class HttpPolicy:
    timeout: float = 10  # seconds, for each attempt
    attempts: int = 3
    backoff: float = 0.5  # seconds before the second attempt, doubled before each next one

    def __post_init__(self):
        if self.attempts < 1:
            raise ValueError("An HTTP policy makes at least one attempt.")


@dataclass(frozen=True)
class TlsIdentity:
    """Mutual TLS: the client certificate and its key (PEM files; the key unencrypted, as requests
    wants it), and the authorities that the server's certificate must chain to (a PEM bundle; empty:
    the system's)."""

    certificate: str = ""
    key: str = ""
    authorities: str = ""

    def requests_options(self) -> dict:
        options: dict = {"verify": self.authorities or True}
        if self.certificate:
            options["cert"] = (self.certificate, self.key) if self.key else self.certificate
        return options


def http_post(url: str, *, data: bytes, headers: dict[str, str], policy: HttpPolicy, system: str) -> requests.Response:
    """POST `data` to `url` under `policy`. Returns the first successful (2xx) response; raises
    ConnectorRejected at once for any other status but 502/503/504, and ConnectorTimeout or
    ConnectorUnavailable once the attempts are spent. `system` names the other side in messages."""
    return http_request("POST", url, data=data, headers=headers, policy=policy, system=system)


def http_request(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    policy: HttpPolicy,
    system: str,
    data: bytes | IO[bytes] | None = None,
    tls: TlsIdentity | None = None,
    answered: Collection[int] = (),
    repeatable: bool = True,
    cut_is_unknown: bool = False,
) -> requests.Response:
    """`method` on `url` under `policy`, as `http_post`. A stream `data` is sent again from the same
    position at each attempt. Statuses in `answered` are returned to the caller as answers (Vitam's
    400 carries a refused transfer's reply). `repeatable=False` for a request that must not be done
    twice: an attempt that got no answer in time, or 500, 502 or 504 (a gateway may have passed it
    on) is not repeated (the other side may have done
    it) and ends in ConnectorOutcomeUnknown. `cut_is_unknown` (with `repeatable=False`): a connection
    cut once made ends so too, rather than being tried again (a reset before the request was read
    and a close after it was taken look the same from here)."""
    start = data.tell() if hasattr(data, "tell") else None
    attempt = 1
    while True:
        last = attempt == policy.attempts
        if start is not None:
            data.seek(start)
        try:
            response = requests.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=policy.timeout,
                **(tls.requests_options() if tls else {}),
            )
        except requests.exceptions.SSLError as error:
            if _certificate_refused(error):  # a configuration to fix, not a passing failure
                raise ConnectorRejected(f"{system} : la connexion TLS a échoué ({url}) : {error}") from error
            if last:
                raise ConnectorUnavailable(f"{system} injoignable ({url}) : {error}") from error
        except requests.exceptions.ReadTimeout as error:
            if not repeatable:
                raise ConnectorOutcomeUnknown(
                    f"{system} : pas de réponse en {policy.timeout:g} s après l’envoi ({url}) ; "
                    "la demande a peut-être été prise en compte"
                ) from error
            if last:
                raise ConnectorTimeout(f"{system} : pas de réponse en {policy.timeout:g} s ({url})") from error
        except requests.Timeout as error:  # could not even connect in time
            if last:
                raise ConnectorTimeout(f"{system} : pas de réponse en {policy.timeout:g} s ({url})") from error
        except requests.RequestException as error:  # refused, reset, unknown host...
            if cut_is_unknown and not repeatable and not _before_sending(error):
                raise ConnectorOutcomeUnknown(
                    f"{system} : connexion coupée après l’envoi ({url}) ; la demande a peut-être été prise en compte"
                ) from error
            if last:
                raise ConnectorUnavailable(f"{system} injoignable ({url}) : {error}") from error
        else:
            if response.ok or response.status_code in answered:
                return response
            if not repeatable and response.status_code in MAYBE_HANDLED_STATUSES:
                raise ConnectorOutcomeUnknown(
                    f"{system} : HTTP {response.status_code} après l’envoi ({url}) ; "
                    "la demande a peut-être été prise en compte"
                )
            if response.status_code not in RETRIED_STATUSES:
                raise ConnectorRejected(f"{system} a refusé la demande : HTTP {response.status_code} ({url})")
            if last:
                raise ConnectorUnavailable(f"{system} indisponible : HTTP {response.status_code} ({url})")
        time.sleep(policy.backoff * 2 ** (attempt - 1))
        attempt += 1


def _before_sending(error: requests.RequestException) -> bool:
    """Whether the connection failed before the request left (refused, unknown host, no connection
    in time), rather than being cut once made."""
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)  # requests wraps urllib3's MaxRetryError
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError and NameResolutionError too


def _certificate_refused(error: requests.exceptions.SSLError) -> bool:
    """Whether TLS failed on a certificate (the server's unverifiable, or ours refused or missing:
    the server then sends an alert, "unknown ca", "certificate required"...), rather than on a
    connection cut in the middle of the handshake."""
    message = str(error).lower()
    return "certificate" in message or "alert" in message
