"""PISTE's OAuth 2.0 client credentials: one access token per application, kept in the process and
asked again shortly before it expires (as the OCA Chorus modules do, 240 s before), or at once when
Chorus Pro says it no longer holds (HTTP 401)."""

import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote_plus

from ..base import ConnectorRejected, ConnectorUnavailable
from ..http import HttpPolicy, http_request

SYSTEM = "Chorus Pro (PISTE)"
RENEW_BEFORE = 240  # seconds before its expiry, a token is renewed


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float  # time.monotonic()


_tokens: dict[tuple[str, str], Token] = {}
_lock = threading.Lock()


def piste_token(*, oauth_url: str, client_id: str, client_secret: str, policy: HttpPolicy, renew: bool = False) -> str:
    """A valid access token of the PISTE application `client_id`: the one kept when it has more
    than RENEW_BEFORE seconds to live (and `renew` is false), else a new one."""
    key = (oauth_url, client_id)
    with _lock:
        token = _tokens.get(key)
        if token is not None and not renew and token.expires_at - RENEW_BEFORE > time.monotonic():
            return token.value
        asked_at = time.monotonic()
        response = http_request(
            "POST",
            oauth_url,
            data=(
                f"grant_type=client_credentials&client_id={quote_plus(client_id)}"
                f"&client_secret={quote_plus(client_secret)}&scope=openid"
            ).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            policy=policy,
            system=SYSTEM,
            answered={400, 401},
        )
        if response.status_code in (400, 401):
            # To fix in the settings, then taken up again by itself: the invoices wait meanwhile.
            raise ConnectorUnavailable(
                f"{SYSTEM} refuse l’application {client_id} : vérifiez son identifiant et son secret."
            )
        try:
            answer = json.loads(response.content)
            value, lifetime = str(answer["access_token"]), float(answer.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as error:
            raise ConnectorRejected(f"{SYSTEM} : réponse d’authentification illisible ({error})") from error
        _tokens[key] = Token(value=value, expires_at=asked_at + lifetime)
        return value


def piste_tokens_forget() -> None:
    """Forget every token kept (tests, and a changed secret)."""
    with _lock:
        _tokens.clear()
