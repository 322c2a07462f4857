"""The HTTP policy connectors share: a timeout per attempt, a few attempts with exponential backoff
for what may pass (no connection, no answer in time, 502/503/504), and typed errors for the rest."""

import time
from dataclasses import dataclass

import requests

from .base import ConnectorRejected, ConnectorTimeout, ConnectorUnavailable

RETRIED_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class HttpPolicy:
    timeout: float = 10  # seconds, for each attempt
    attempts: int = 3
    backoff: float = 0.5  # seconds before the second attempt, doubled before each next one

    def __post_init__(self):
        if self.attempts < 1:
            raise ValueError("An HTTP policy makes at least one attempt.")


def http_post(url: str, *, data: bytes, headers: dict[str, str], policy: HttpPolicy, system: str) -> requests.Response:
    """POST `data` to `url` under `policy`. Returns the first successful (2xx) response; raises
    ConnectorRejected at once for any other status but 502/503/504, and ConnectorTimeout or
    ConnectorUnavailable once the attempts are spent. `system` names the other side in messages."""
    attempt = 1
    while True:
        last = attempt == policy.attempts
        try:
            response = requests.post(url, data=data, headers=headers, timeout=policy.timeout)
        except requests.Timeout as error:
            if last:
                raise ConnectorTimeout(f"{system} : pas de réponse en {policy.timeout:g} s ({url})") from error
        except requests.RequestException as error:  # refused, reset, unknown host...
            if last:
                raise ConnectorUnavailable(f"{system} injoignable ({url}) : {error}") from error
        else:
            if response.ok:
                return response
            if response.status_code not in RETRIED_STATUSES:
                raise ConnectorRejected(f"{system} a refusé la demande : HTTP {response.status_code} ({url})")
            if last:
                raise ConnectorUnavailable(f"{system} indisponible : HTTP {response.status_code} ({url})")
        time.sleep(policy.backoff * 2 ** (attempt - 1))
        attempt += 1
