"""HubEE's OAuth2 client credentials, one pair per démarche (/work/shared/reference/connectors.md
§3.1): `POST {token_url}` with HTTP Basic `client_id:client_secret` and the form
`grant_type=client_credentials&scope=SI|OSL`, answered with `access_token` and `expires_in`.

A token is kept per (token endpoint, client, scope) in the process and asked again shortly before it
expires; an API call answered 401 (a token that HubEE let expire early, or revoked) drops it and is
made once more with a new one."""

import base64
import json
import threading
import time
from dataclasses import dataclass

from ..base import ConnectorRejected
from ..http import HttpPolicy, http_request

SYSTEM = "HubEE"
# A token is renewed this long before HubEE says it expires: a request sent with it still arrives in time.
RENEW_MARGIN = 30  # seconds


class HubeeRefused(ConnectorRejected):
    """HubEE refused the request (400, 403, 409…): its `status` and HubEE's own message."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


class HubeeNotFound(HubeeRefused):
    """HubEE does not know the case, folder, event or notification (404)."""


class HubeeCredentialsRefused(HubeeRefused):
    """The token endpoint refused the démarche's client id and secret (or the scope)."""


@dataclass(frozen=True)
class HubeeCredentials:
    """A démarche's client id and secret, and the actor type they act as: SI (the instructing
    service, receiving) or OSL (the online service, sending)."""

    client_id: str
    client_secret: str
    scope: str = "SI"

    def __repr__(self) -> str:  # never the secret in a log or a traceback
        return f"HubeeCredentials(client_id={self.client_id!r}, scope={self.scope!r})"


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()


_tokens: dict[tuple[str, str, str], _Token] = {}
_tokens_lock = threading.Lock()


def tokens_forget() -> None:
    """Drop every token kept (tests)."""
    with _tokens_lock:
        _tokens.clear()


def hubee_error_message(body: bytes) -> str:
    """HubEE's error message (`{"errors": [{"code", "message"}]}`), or the start of the body."""
    try:
        errors = json.loads(body).get("errors") or []
        return "; ".join(str(error.get("message", "")) for error in errors)[:300]
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", errors="replace")


def access_token(*, token_url: str, credentials: HubeeCredentials, policy: HttpPolicy, renew: bool = False) -> str:
    """A valid token for `credentials`: the one kept, unless it expires within RENEW_MARGIN
    seconds or `renew` asks for a new one."""
    key = (token_url, credentials.client_id, credentials.scope)
    with _tokens_lock:
        kept = _tokens.get(key)
        if kept is not None and not renew and kept.expires_at - RENEW_MARGIN > time.monotonic():
            return kept.value
    basic = base64.b64encode(f"{credentials.client_id}:{credentials.client_secret}".encode()).decode("ascii")
    asked_at = time.monotonic()
    response = http_request(
        "POST",
        token_url,
        data=f"grant_type=client_credentials&scope={credentials.scope}".encode(),
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        policy=policy,
        system=f"{SYSTEM} (jeton)",
        answered={400, 401},
    )
    if response.status_code in (400, 401):
        raise HubeeCredentialsRefused(
            f"{SYSTEM} a refusé l’identifiant client {credentials.client_id} : {hubee_error_message(response.content)}",
            status=response.status_code,
        )
    try:
        payload = response.json()
        token = _Token(value=str(payload["access_token"]), expires_at=asked_at + float(payload.get("expires_in", 300)))
    except (ValueError, KeyError, TypeError) as error:
        raise ConnectorRejected(f"{SYSTEM} : réponse illisible du point d’accès des jetons ({error})") from error
    with _tokens_lock:
        _tokens[key] = token
    return token.value
