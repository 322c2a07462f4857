"""ProConnect, the State's OpenID Connect federation for public agents (formerly AgentConnect): the
client side, with authlib like FranceConnect (`franceconnect.py`).

authlib does the protocol (discovery at `<issuer>/.well-known/openid-configuration`, the issuer
being `https://<domain>/api/v2`; state, nonce, code exchange with client_secret_post, ID token
checks against the provider's JWKS, RP-initiated logout with `id_token_hint`). This module adds what
ProConnect asks beyond it:

- `state` and `nonce` of 43 characters (ProConnect wants at least 32), and no URL parameter beyond
  the documented ones (`response_type`, `client_id`, `redirect_uri`, `scope`, `state`, `nonce`,
  `claims`): any other is refused by ProConnect (error Y000400), so no `acr_values`;
- the level of authentication asked through `claims`: `amr` always, and, when a second factor is
  required, `acr` among the multi-factor values (`MFA_ACR_VALUES`), checked in the ID token;
- user info that comes back as a JWT signed like the ID token (ES256 or RS256), verified against the
  same JWKS.

Every failure becomes a `ProConnectError` whose message can be shown to the person as it is."""

import json
import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from django.conf import settings
from joserfc.errors import JoseError

from .franceconnect import LEEWAY_SECONDS, FranceConnectApp, openid_client, signed_userinfo

logger = logging.getLogger(__name__)

IDENTITY_CLAIMS = ("sub", "given_name", "usual_name", "email", "uid", "siret", "idp_id")
# The levels that mean a second factor at ProConnect (its documentation, « double authentification »).
MFA_ACR_VALUES = (
    "eidas2",
    "eidas3",
    "https://proconnect.gouv.fr/assurance/self-asserted-2fa",
    "https://proconnect.gouv.fr/assurance/consistency-checked-2fa",
)
GENERIC_FAILURE = "La connexion avec ProConnect n’a pas abouti."
UNAVAILABLE = "ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes."


class ProConnectError(Exception):
    """A sign-in or sign-out with ProConnect that did not go through. `message` is for the person;
    `reason` is for the logs."""

    def __init__(self, message: str, *, reason: str, cancelled: bool = False):
        super().__init__(reason)
        self.message = message
        self.reason = reason
        self.cancelled = cancelled


@dataclass(frozen=True)
class ProConnectSignIn:
    """What a successful return from ProConnect brings: the verified claims, the ID token (kept in
    the session for the logout), the level (`acr`) and the methods (`amr`) of the authentication."""

    claims: dict[str, str]
    id_token: str
    acr: str
    amr: list[str]

    @property
    def multi_factor(self) -> bool:
        return self.acr in MFA_ACR_VALUES


def is_configured() -> bool:
    return bool(settings.PROCONNECT_ISSUER and settings.PROCONNECT_CLIENT_ID and settings.PROCONNECT_CLIENT_SECRET)


def issuer() -> str:
    """The issuer, `https://<domain>/api/v2`; the setting may name the domain alone."""
    value = settings.PROCONNECT_ISSUER.rstrip("/")
    return value if value.endswith("/api/v2") else value + "/api/v2"


class ProConnectApp(FranceConnectApp):
    """authlib's Django client, held to ProConnect's rules (FranceConnect's, with its own error)."""

    error = ProConnectError
    generic_failure = GENERIC_FAILURE


@lru_cache(maxsize=4)
def _client(issuer_url: str, client_id: str, client_secret: str) -> ProConnectApp:
    return openid_client(
        ProConnectApp,
        "proconnect",
        issuer=issuer_url,
        client_id=client_id,
        client_secret=client_secret,
        scopes=settings.PROCONNECT_SCOPES,
        timeout=settings.PROCONNECT_TIMEOUT,
    )


def client() -> ProConnectApp:
    return _client(issuer(), settings.PROCONNECT_CLIENT_ID, settings.PROCONNECT_CLIENT_SECRET)


def claims_request(*, multi_factor: bool) -> str:
    """The `claims` parameter: `amr` always (to know how the agent signed in), and an essential `acr`
    among the multi-factor levels when a second factor is required."""
    id_token: dict[str, Any] = {"amr": {"essential": True}}
    if multi_factor:
        id_token["acr"] = {"essential": True, "values": list(MFA_ACR_VALUES)}
    return json.dumps({"id_token": id_token}, separators=(",", ":"))


def authorization_redirect(request, *, redirect_uri: str, multi_factor: bool = False):
    """The redirect that sends the browser to ProConnect; state and nonce (random, 43 characters) are
    kept in the session by authlib until the browser comes back."""
    try:
        return client().authorize_redirect(
            request,
            redirect_uri,
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            claims=claims_request(multi_factor=multi_factor),
        )
    except ProConnectError:
        raise
    except (OAuthError, requests.RequestException, ValueError) as error:
        raise ProConnectError(UNAVAILABLE, reason=f"authorization request: {error!r}") from error


def authorization_complete(request) -> ProConnectSignIn:
    """Finish the sign-in on the browser's return: check the state, exchange the code, verify the ID
    token (signature, iss, aud, exp, nonce), fetch and verify the user info."""
    app = client()
    try:
        token = app.authorize_access_token(request, leeway=LEEWAY_SECONDS)
    except MismatchingStateError as error:
        raise ProConnectError(
            "Cette page de retour de ProConnect n’est plus valable (elle a peut-être déjà servi, ou elle "
            "vient d’un autre navigateur). Recommencez la connexion.",
            reason="state does not match the session",
        ) from error
    except OAuthError as error:
        if error.error == "access_denied":
            raise ProConnectError(
                "Vous avez annulé la connexion avec ProConnect.", reason="access_denied", cancelled=True
            ) from error
        raise ProConnectError(GENERIC_FAILURE, reason=f"provider error: {error!r}") from error
    except ProConnectError:
        raise
    except (JoseError, ValueError) as error:
        raise ProConnectError(GENERIC_FAILURE, reason=f"ID token refused: {error!r}") from error
    except requests.RequestException as error:
        raise ProConnectError(UNAVAILABLE, reason=f"token request: {error!r}") from error

    id_claims = token.get("userinfo")
    if not id_claims or "id_token" not in token:
        raise ProConnectError(GENERIC_FAILURE, reason="no ID token in the token response")
    amr = id_claims.get("amr") or []
    claims = signed_userinfo(app, token, sub=id_claims["sub"], error=ProConnectError, message=GENERIC_FAILURE)
    return ProConnectSignIn(
        claims={name: str(claims.get(name) or "") for name in IDENTITY_CLAIMS},
        id_token=token["id_token"],
        acr=str(id_claims.get("acr") or ""),
        amr=[str(value) for value in amr] if isinstance(amr, list) else [],
    )


def logout_redirect(request, *, id_token: str, post_logout_redirect_uri: str):
    """The redirect that ends the ProConnect session too (`<issuer>/session/end` with
    `id_token_hint`, `state` and `post_logout_redirect_uri`)."""
    try:
        return client().logout_redirect(
            request,
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token,
            state=secrets.token_urlsafe(32),
        )
    except (OAuthError, requests.RequestException, RuntimeError, ValueError) as error:
        raise ProConnectError(GENERIC_FAILURE, reason=f"logout request: {error!r}") from error


def logout_complete(request) -> None:
    """Check the state that ProConnect sends back after its logout."""
    try:
        client().validate_logout_response(request)
    except OAuthError as error:
        raise ProConnectError(GENERIC_FAILURE, reason=f"logout return: {error!r}") from error
