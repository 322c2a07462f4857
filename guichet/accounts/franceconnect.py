"""FranceConnect, the State's OpenID Connect provider for citizens: the client side.

authlib does the protocol (discovery, state, nonce, code exchange with client_secret_post, ID token
checks against the provider's JWKS, RP-initiated logout); this module adds what FranceConnect asks
beyond it: only ES256 and RS256 signatures, `acr_values=eidas1`, and user info that comes back as a
signed JWT (`application/jwt`), which is verified against the same JWKS as the ID token.

Every failure becomes a `FranceConnectError` whose message can be shown to the person as it is."""

import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

logger = logging.getLogger(__name__)

# FranceConnect signs with ES256 (recommended) or RS256; HS256 was retired, and nothing else is accepted.
SIGNING_ALGORITHMS = ("ES256", "RS256")
IDENTITY_CLAIMS = (
    "sub",
    "given_name",
    "family_name",
    "preferred_username",
    "birthdate",
    "birthplace",
    "birthcountry",
    "gender",
    "email",
)
LEEWAY_SECONDS = 60


class FranceConnectError(Exception):
    """A sign-in or sign-out with FranceConnect that did not go through. `message` is for the
    person; `reason` is for the logs."""

    def __init__(self, message: str, *, reason: str, cancelled: bool = False):
        super().__init__(reason)
        self.message = message
        self.reason = reason
        self.cancelled = cancelled


GENERIC_FAILURE = "La connexion avec FranceConnect n’a pas abouti."


@dataclass(frozen=True)
class FranceConnectSignIn:
    """What a successful return from FranceConnect brings: the verified claims and the ID token
    (kept in the session: FranceConnect's logout needs it)."""

    claims: dict[str, Any]
    id_token: str
    acr: str


EIDAS_LEVELS = {"eidas1": 1, "eidas2": 2, "eidas3": 3}


def acr_satisfies(acr: str, requested: str) -> bool:
    """Whether the level of guarantee FranceConnect reports (`acr`) is at least the lowest one asked for."""
    asked = [EIDAS_LEVELS[value] for value in requested.split() if value in EIDAS_LEVELS]
    if not asked:
        return acr in requested.split()
    return EIDAS_LEVELS.get(acr, 0) >= min(asked)


def is_configured() -> bool:
    return bool(
        settings.FRANCECONNECT_ISSUER and settings.FRANCECONNECT_CLIENT_ID and settings.FRANCECONNECT_CLIENT_SECRET
    )


class FranceConnectApp(DjangoOAuth2App):
    """authlib's Django client, held to FranceConnect's rules (ProConnect's app is the same, with its
    own error and message)."""

    error = FranceConnectError
    generic_failure = GENERIC_FAILURE

    def load_server_metadata(self):
        metadata = super().load_server_metadata()
        if metadata.get("issuer") != self.expected_issuer:
            # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched from.
            raise self.error(self.generic_failure, reason=f"discovery document names issuer {metadata.get('issuer')!r}")
        # Whatever the provider lists, only these are accepted for the ID token (authlib reads this key).
        metadata["id_token_signing_alg_values_supported"] = list(SIGNING_ALGORITHMS)
        return metadata

    def key_set(self, *, force: bool = False) -> KeySet:
        return KeySet.import_key_set(self.fetch_jwk_set(force=force))


def openid_client(app_class, name: str, *, issuer: str, client_id: str, client_secret: str, scopes, timeout):
    """An identity federation's client (FranceConnect, ProConnect): it caches the discovery document
    and the JWKS (fetched again when a token names a key that the cached set does not have)."""
    app = app_class(
        DjangoIntegration(name),
        name,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": scopes,
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": timeout,
            # Both federations' access tokens live 60 seconds: authlib's default margin (60 s) would
            # take them for expired before the user info is even asked for.
            "leeway": 5,
        },
    )
    app.expected_issuer = issuer
    return app


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, client_secret: str) -> FranceConnectApp:
    # One client per configuration, kept for the process.
    return openid_client(
        FranceConnectApp,
        "franceconnect",
        issuer=issuer,
        client_id=client_id,
        client_secret=client_secret,
        scopes=settings.FRANCECONNECT_SCOPES,
        timeout=settings.FRANCECONNECT_TIMEOUT,
    )


def client() -> FranceConnectApp:
    return _client(
        settings.FRANCECONNECT_ISSUER, settings.FRANCECONNECT_CLIENT_ID, settings.FRANCECONNECT_CLIENT_SECRET
    )


def authorization_redirect(request, *, redirect_uri: str):
    """The redirect that sends the browser to FranceConnect; state and nonce (random, 43 characters)
    are kept in the session by authlib until the browser comes back."""
    try:
        return client().authorize_redirect(
            request,
            redirect_uri,
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            acr_values=settings.FRANCECONNECT_ACR_VALUES,
        )
    except FranceConnectError:
        raise
    except (OAuthError, requests.RequestException, ValueError) as error:
        raise FranceConnectError(
            "FranceConnect ne répond pas pour le moment. Réessayez dans quelques minutes.",
            reason=f"authorization request: {error!r}",
        ) from error


def authorization_complete(request) -> FranceConnectSignIn:
    """Finish the sign-in on the browser's return: check the state, exchange the code, verify the ID
    token (signature, iss, aud, exp, nonce), fetch and verify the user info."""
    app = client()
    try:
        token = app.authorize_access_token(request, leeway=LEEWAY_SECONDS)
    except MismatchingStateError as error:
        raise FranceConnectError(
            "Cette page de retour de FranceConnect n’est plus valable (elle a peut-être déjà servi, "
            "ou elle vient d’un autre navigateur). Recommencez la connexion.",
            reason="state does not match the session",
        ) from error
    except OAuthError as error:
        if error.error == "access_denied":
            raise FranceConnectError(
                "Vous avez annulé la connexion avec FranceConnect.", reason="access_denied", cancelled=True
            ) from error
        raise FranceConnectError(GENERIC_FAILURE, reason=f"provider error: {error!r}") from error
    except FranceConnectError:
        raise
    except (JoseError, ValueError) as error:
        # A signature that does not verify, an unknown key, a wrong nonce, issuer or audience, an
        # expired token: the ID token is refused.
        raise FranceConnectError(GENERIC_FAILURE, reason=f"ID token refused: {error!r}") from error
    except requests.RequestException as error:
        raise FranceConnectError(
            "FranceConnect ne répond pas pour le moment. Réessayez dans quelques minutes.",
            reason=f"token request: {error!r}",
        ) from error

    id_claims = token.get("userinfo")
    if not id_claims or "id_token" not in token:
        raise FranceConnectError(GENERIC_FAILURE, reason="no ID token in the token response")
    acr = id_claims.get("acr") or ""
    if not acr_satisfies(acr, settings.FRANCECONNECT_ACR_VALUES):
        raise FranceConnectError(GENERIC_FAILURE, reason=f"acr {acr!r} is below the level asked for")

    claims = signed_userinfo(app, token, sub=id_claims["sub"], error=FranceConnectError)
    return FranceConnectSignIn(
        claims={name: claims.get(name, "") or "" for name in IDENTITY_CLAIMS}, id_token=token["id_token"], acr=acr
    )


def signed_userinfo(
    app: FranceConnectApp, token: dict, *, sub: str, error: type[Exception], message: str = GENERIC_FAILURE
) -> dict[str, Any]:
    """The user info, which FranceConnect and ProConnect send as a JWT signed like the ID token,
    checked (issuer, audience, the same `sub`); `error` (the provider's, with `message` for the
    person) when it cannot be had."""
    metadata = app.load_server_metadata()
    try:
        response = app.get(metadata["userinfo_endpoint"], token=token)
        response.raise_for_status()
    except (requests.RequestException, KeyError) as failure:
        raise error(message, reason=f"userinfo request: {failure!r}") from failure
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != "application/jwt":
        raise error(message, reason=f"userinfo is {content_type!r}, not a signed JWT")
    try:
        try:
            decoded = jwt.decode(response.text, app.key_set(), algorithms=list(SIGNING_ALGORITHMS))
        except InvalidKeyIdError:
            decoded = jwt.decode(response.text, app.key_set(force=True), algorithms=list(SIGNING_ALGORITHMS))
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": app.expected_issuer},
            aud={"essential": True, "value": app.client_id},
            # OpenID Connect Core §5.3.2: the user info must be about the person the ID token names.
            sub={"essential": True, "value": sub},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as failure:
        raise error(message, reason=f"userinfo refused: {failure!r}") from failure
    return decoded.claims


def logout_redirect(request, *, id_token: str, post_logout_redirect_uri: str):
    """The redirect that ends the FranceConnect session too (`id_token_hint`, `state`,
    `post_logout_redirect_uri`); the state is kept in the (new, signed-out) session."""
    try:
        return client().logout_redirect(
            request,
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token,
            state=secrets.token_urlsafe(32),
        )
    except (OAuthError, requests.RequestException, RuntimeError, ValueError) as error:
        raise FranceConnectError(GENERIC_FAILURE, reason=f"logout request: {error!r}") from error


def logout_complete(request) -> None:
    """Check the state that FranceConnect sends back after its logout."""
    try:
        client().validate_logout_response(request)
    except OAuthError as error:
        raise FranceConnectError(GENERIC_FAILURE, reason=f"logout return: {error!r}") from error
