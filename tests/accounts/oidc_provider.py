"""A local OpenID Connect provider that behaves like FranceConnect or ProConnect, for the tests.

Built on authlib's server side (authorization code grant, OpenID Connect code flow, UserInfo and
RP-initiated logout endpoints) behind Flask, and run in its own process by the `oidc_provider`
fixture (tests/accounts/oidc_fixtures.py):

    python -m tests.accounts.oidc_provider --client-id ID --client-secret SECRET [--port N --site URL]

It listens on a free port of 127.0.0.1, prints `LISTENING <issuer>` once ready, and serves:
the discovery document, the JWKS (an EC P-256 key and an RSA key), `/authorize` (consents at once for
the test person), `/token` (client_secret_post only), `/userinfo` (a signed JWT, `application/jwt`)
and `/session/end`. ID tokens and user info are signed ES256, like FranceConnect's (RS256 on demand).

With `profile: "proconnect"` it signs in an agent with ProConnect's claims (`given_name`,
`usual_name`, `email`, `uid`, `siret`, `idp_id`) and honours the `claims` request parameter: an
essential `acr` among multi-factor values gets `mfa_acr` when the test says the agent's identity
provider can do a second factor (`mfa: true`), else `eidas1`; `amr` says which.

The tests steer it through `/_test/...`: which person signs in, which redirect URIs are registered,
and faults to inject (a refusal, a signature by a key that is not in the JWKS, unsigned user info...).
"""

import argparse
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo, UserInfoEndpoint
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Flask, jsonify, request
from joserfc.jwk import ECKey, KeySet, RSAKey
from werkzeug.serving import make_server

PREFIX = "/api/v2"
SCOPES = ["openid", "given_name", "family_name", "birthdate", "birthplace", "birthcountry", "email"]
SCOPES += ["preferred_username", "gender", "profile"]
SCOPES += ["usual_name", "uid", "siret", "idp_id"]

# FranceConnect's demo identity on its integration platform (with an address of our own).
DEFAULT_PERSON = {
    "sub": "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1",
    "given_name": "Angela Claire Louise",
    "family_name": "DUBOIS",
    "preferred_username": "",
    "birthdate": "1962-08-24",
    "birthplace": "75107",
    "birthcountry": "99100",
    "gender": "female",
    "email": "angela.dubois@exemple.fr",
}

# An agent as ProConnect describes them.
DEFAULT_AGENT = {
    "sub": "3a2b1c0d-proconnect-agent-0001",
    "given_name": "Camille",
    "usual_name": "MARTIN",
    "email": "camille.martin@interieur.gouv.fr",
    "uid": "cmartin",
    "siret": "11000003100002",
    "idp_id": "71144ab3-ee1a-4401-b7b3-79b44f7daeeb",
}

FAULTS = {
    "",  # none
    "deny",  # the person cancels on the provider: error=access_denied
    "id_token_bad_signature",  # the ID token is signed by a key that is not in the JWKS
    "id_token_wrong_nonce",  # the ID token carries another nonce than the one asked for
    "userinfo_bad_signature",  # the user info is signed by a key that is not in the JWKS
    "userinfo_unsigned",  # the user info comes back as plain JSON
    "userinfo_other_sub",  # the user info is about someone else than the ID token
}


@dataclass
class State:
    """Everything the provider remembers, in memory, for one test process."""

    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    redirect_uris: list[str] = field(default_factory=list)
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    person: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PERSON))
    alg: str = "ES256"
    mfa: bool = False
    mfa_acr: str = "eidas2"
    fault: str = ""
    codes: dict[str, "AuthorizationCode"] = field(default_factory=dict)
    tokens: dict[str, "Token"] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    logouts: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.person, self.alg, self.fault = dict(DEFAULT_PERSON), "ES256", ""
        self.mfa, self.mfa_acr = False, "eidas2"
        self.authorize_requests.clear()
        self.token_requests.clear()
        self.logouts.clear()


STATE = State()
KEYS = {
    "ES256": ECKey.generate_key("P-256", parameters={"kid": "es256-key", "use": "sig", "alg": "ES256"}),
    "RS256": RSAKey.generate_key(2048, parameters={"kid": "rs256-key", "use": "sig", "alg": "RS256"}),
}
# Keys with the same names as the real ones, never published: what a forger would sign with.
ROGUE_KEYS = {
    "ES256": ECKey.generate_key("P-256", parameters={"kid": "es256-key", "use": "sig", "alg": "ES256"}),
    "RS256": RSAKey.generate_key(2048, parameters={"kid": "rs256-key", "use": "sig", "alg": "RS256"}),
}


def public_jwks() -> dict:
    return KeySet(list(KEYS.values())).as_dict(private=False)


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str

    @property
    def client_metadata(self) -> dict[str, Any]:
        metadata = {
            "redirect_uris": list(STATE.redirect_uris),
            "post_logout_redirect_uris": list(STATE.post_logout_redirect_uris),
            "token_endpoint_auth_method": "client_secret_post",
            "id_token_signed_response_alg": STATE.alg,
        }
        if STATE.fault != "userinfo_unsigned":
            metadata["userinfo_signed_response_alg"] = STATE.alg
        return metadata

    @property
    def id_token_signed_response_alg(self) -> str:
        return STATE.alg

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in STATE.redirect_uris

    def check_client_secret(self, client_secret):
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "client_secret_post" if endpoint == "token" else True

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str
    acr: str
    person: dict[str, str]
    amr: list[str] = field(default_factory=lambda: ["pwd"])
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return "another-nonce" if STATE.fault == "id_token_wrong_nonce" else self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return self.acr

    def get_amr(self):
        return self.amr


@dataclass
class Token(TokenMixin):
    access_token: str
    client: Client
    person: dict[str, str]
    scope: str
    issued_at: int
    expires_in: int

    def check_client(self, client):
        return client.client_id == self.client.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self):
        return False

    def get_user(self):
        return self.person

    def get_client(self):
        return self.client


def signing_key(*, forged: bool) -> KeySet:
    """The key to sign with, as a set of one so that joserfc names it (`kid`) in the JWT's header."""
    return KeySet([(ROGUE_KEYS if forged else KEYS)[STATE.alg]])


def level_of_authentication(claims_parameter: str) -> tuple[str, list[str]]:
    """The `acr` and `amr` of a sign-in: `eidas1` with a password (FranceConnect's only level), unless
    an essential `acr` is asked for through `claims` and the identity provider can do a second factor."""
    try:
        asked = json.loads(claims_parameter).get("id_token", {}).get("acr", {}) if claims_parameter else {}
    except (ValueError, AttributeError):
        asked = {}
    if asked.get("essential") and STATE.mfa and STATE.mfa_acr in asked.get("values", []):
        return STATE.mfa_acr, ["pwd", "totp", "mfa"]
    return "eidas1", ["pwd"]


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post"]

    def save_authorization_code(self, code, request):
        payload = request.payload.data
        acr, amr = level_of_authentication(payload.get("claims") or "")
        with STATE.lock:
            STATE.nonces.add(payload.get("nonce") or "")
            STATE.codes[code] = AuthorizationCode(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=payload.get("redirect_uri") or "",
                scope=request.client.get_allowed_scope(payload.get("scope")),
                nonce=payload.get("nonce") or "",
                acr=acr,
                amr=amr,
                person=dict(request.user),
            )

    def query_authorization_code(self, code, client):
        item = STATE.codes.get(code)
        return item if item is not None and item.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code):
        STATE.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.person


class FranceConnectOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce, request):
        return nonce in STATE.nonces

    def resolve_client_private_key(self, client):
        return signing_key(forged=STATE.fault == "id_token_bad_signature")

    def get_client_algorithm(self, client):
        return STATE.alg

    def get_client_claims(self, client):
        now = int(time.time())
        return {"iss": STATE.issuer, "aud": client.get_client_id(), "iat": now, "exp": now + 60}

    def generate_user_info(self, user, scope):
        # FranceConnect's ID token names the person; the identity comes from the user info.
        return UserInfo(sub=user["sub"])


class FranceConnectUserInfo(UserInfoEndpoint):
    def get_issuer(self):
        return STATE.issuer

    def get_supported_algorithms(self):
        return ["ES256", "RS256"]

    def resolve_private_key(self):
        return signing_key(forged=STATE.fault == "userinfo_bad_signature")

    def generate_user_info(self, user, scope):
        granted = set(scope.split())
        claims = {name: value for name, value in user.items() if name in granted}
        claims["sub"] = "someone-else" if STATE.fault == "userinfo_other_sub" else user["sub"]
        now = int(time.time())
        return UserInfo(claims, iat=now, exp=now + 60)


class FranceConnectEndSession(EndSessionEndpoint):
    def get_server_jwks(self):
        return KeySet(list(KEYS.values()))

    def end_session(self, end_session_request):
        STATE.logouts.append(
            {
                "args": request.args.to_dict(),
                "id_token_claims": end_session_request.id_token_claims,
                "redirect_uri": end_session_request.redirect_uri,
            }
        )


class BearerToken(BearerTokenValidator):
    def authenticate_token(self, token_string):
        return STATE.tokens.get(token_string)


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 60}

    def query_client(client_id):
        if client_id == STATE.client_id:
            return Client(STATE.client_id, STATE.client_secret)
        return None

    def save_token(token, request):
        STATE.tokens[token["access_token"]] = Token(
            access_token=token["access_token"],
            client=request.client,
            person=request.user,
            scope=token.get("scope", ""),
            issued_at=int(time.time()),
            expires_in=int(token.get("expires_in", 60)),
        )

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(CodeGrant, [FranceConnectOpenIDCode(require_nonce=True)])
    protector = ResourceProtector()
    protector.register_token_validator(BearerToken())
    server.register_endpoint(FranceConnectUserInfo(resource_protector=protector))
    server.register_endpoint(FranceConnectEndSession)

    @app.get(f"{PREFIX}/.well-known/openid-configuration")
    def discovery():
        return jsonify(
            {
                "issuer": STATE.issuer,
                "authorization_endpoint": f"{STATE.issuer}/authorize",
                "token_endpoint": f"{STATE.issuer}/token",
                "userinfo_endpoint": f"{STATE.issuer}/userinfo",
                "jwks_uri": f"{STATE.issuer}/jwks",
                "end_session_endpoint": f"{STATE.issuer}/session/end",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "scopes_supported": SCOPES,
                "claims_supported": sorted(set(DEFAULT_PERSON) | set(DEFAULT_AGENT) | {"acr", "amr"}),
                "claims_parameter_supported": True,
                "acr_values_supported": ["eidas1", "eidas2", "eidas3"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "id_token_signing_alg_values_supported": ["ES256", "RS256"],
                "userinfo_signing_alg_values_supported": ["ES256", "RS256"],
            }
        )

    @app.get(f"{PREFIX}/jwks")
    def jwks():
        return jsonify(public_jwks())

    @app.get(f"{PREFIX}/authorize")
    def authorize():
        STATE.authorize_requests.append(request.args.to_dict())
        # No login page: the test person consents at once, unless the test asked for a refusal.
        grant_user = None if STATE.fault == "deny" else dict(STATE.person)
        return server.create_authorization_response(grant_user=grant_user)

    @app.post(f"{PREFIX}/token")
    def token():
        STATE.token_requests.append(
            {key: ("***" if key == "client_secret" else value) for key, value in request.form.items()}
        )
        STATE.token_requests[-1]["authorization_header"] = "yes" if request.authorization else "no"
        return server.create_token_response()

    @app.route(f"{PREFIX}/userinfo", methods=["GET", "POST"])
    def userinfo():
        return server.create_endpoint_response("userinfo")

    @app.get(f"{PREFIX}/session/end")
    def end_session():
        try:
            response = server.create_endpoint_response("end_session")
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        return response or ("Vous êtes déconnecté de FranceConnect.", 200)

    @app.post("/_test/configure")
    def configure():
        data = request.get_json()
        with STATE.lock:
            STATE.reset()
            STATE.redirect_uris = list(data.get("redirect_uris", STATE.redirect_uris))
            STATE.post_logout_redirect_uris = list(
                data.get("post_logout_redirect_uris", STATE.post_logout_redirect_uris)
            )
            if data.get("profile") == "proconnect":
                STATE.person = dict(DEFAULT_AGENT)
            STATE.person.update(data.get("person", {}))
            STATE.alg = data.get("alg", "ES256")
            STATE.mfa = bool(data.get("mfa", False))
            STATE.mfa_acr = data.get("mfa_acr", "eidas2")
            fault = data.get("fault", "")
            if fault not in FAULTS or STATE.alg not in KEYS:
                return jsonify({"error": "unknown fault or algorithm"}), 400
            STATE.fault = fault
        return jsonify({"ok": True})

    @app.get("/_test/log")
    def log():
        return jsonify(
            {
                "authorize": STATE.authorize_requests,
                "token": STATE.token_requests,
                "logouts": STATE.logouts,
            }
        )

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--profile", choices=["franceconnect", "proconnect"], default="franceconnect", help="who signs in"
    )
    parser.add_argument("--site", help="register this Guichet's return URLs, e.g. http://127.0.0.1:8000 (make run)")
    args = parser.parse_args()
    STATE.client_id, STATE.client_secret = args.client_id, args.client_secret
    if args.profile == "proconnect":
        STATE.person = dict(DEFAULT_AGENT)
    if args.site:
        STATE.redirect_uris = [args.site.rstrip("/") + "/compte/franceconnect/retour/"]
        STATE.redirect_uris.append(args.site.rstrip("/") + "/compte/proconnect/retour/")
        STATE.post_logout_redirect_uris = [args.site.rstrip("/") + "/compte/franceconnect/deconnecte/"]
        STATE.post_logout_redirect_uris.append(args.site.rstrip("/") + "/compte/proconnect/deconnecte/")
    http = make_server("127.0.0.1", args.port, create_app(), threaded=True)
    STATE.issuer = f"http://127.0.0.1:{http.server_port}{PREFIX}"
    print(f"LISTENING {STATE.issuer}", flush=True)
    try:
        http.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
