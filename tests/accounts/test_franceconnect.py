"""Signing in with FranceConnect, end to end against the local provider (a real OpenID Connect server
in another process): the browser's redirects are followed by hand, Guichet's calls to the provider
(discovery, JWKS, token, user info) are real HTTP."""

import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import KeySet

from guichet.accounts import franceconnect as franceconnect_module
from guichet.accounts.models import FranceConnectIdentity, User
from guichet.accounts.selectors import applicant_identity
from guichet.core.models import AuditEvent
from tests.accounts.oidc_fixtures import CLIENT_ID, CLIENT_SECRET
from tests.accounts.oidc_provider import DEFAULT_PERSON
from tests.factories import ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


def start(client, next_url: str = "") -> str:
    """Click the FranceConnect button: returns the provider's authorize URL Guichet redirects to."""
    response = client.post(reverse("accounts:franceconnect_login"), {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def through_provider(authorize_url: str) -> str:
    """The browser at the provider, which consents at once: returns where it sends the browser back."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def back_to_guichet(client, callback_url: str, **kwargs):
    assert callback_url.startswith(SITE + "/compte/franceconnect/retour/")
    return client.get(callback_url.removeprefix(SITE), **kwargs)


def sign_in(client, next_url: str = ""):
    return back_to_guichet(client, through_provider(start(client, next_url)), follow=True)


def test_the_sign_in_page_shows_the_franceconnect_button_only_when_configured(client, settings, franceconnect):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'class="fr-connect"' in html and "S’identifier avec" in html
    assert "Qu’est-ce que FranceConnect ?" in html
    assert html.index("fr-connect-group") < html.index('name="username"'), "the button comes above the local form"

    settings.FRANCECONNECT_CLIENT_SECRET = ""
    html = client.get(reverse("accounts:login")).content.decode()
    assert "fr-connect" not in html
    assert client.post(reverse("accounts:franceconnect_login")).status_code == 404
    assert client.get(reverse("accounts:franceconnect_callback")).status_code == 404


def test_the_authorization_request_is_the_one_franceconnect_expects(client, franceconnect):
    authorize_url = start(client)
    parts = urlsplit(authorize_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == franceconnect.issuer + "/authorize"
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == SITE + "/compte/franceconnect/retour/"
    assert query["scope"].split() == [
        "openid",
        "given_name",
        "family_name",
        "birthdate",
        "birthplace",
        "birthcountry",
        "gender",
        "email",
        "preferred_username",
    ]
    assert query["acr_values"] == "eidas1"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["state"] != query["nonce"]


def test_a_first_sign_in_creates_the_account_with_the_certified_identity(client, franceconnect):
    response = sign_in(client, next_url="/demarches/permis-de-construire/")

    assert response.redirect_chain[-1][0] == "/demarches/permis-de-construire/"
    user = response.wsgi_request.user
    assert user.is_authenticated and user.email == DEFAULT_PERSON["email"]
    assert (user.first_name, user.last_name) == ("Angela Claire Louise", "DUBOIS")
    assert user.is_active and not user.has_usable_password()
    identity = FranceConnectIdentity.objects.get(user=user)
    assert identity.sub == DEFAULT_PERSON["sub"]
    assert identity.birthdate == datetime.date(1962, 8, 24)
    assert (identity.birthplace, identity.birthcountry, identity.acr) == ("75107", "99100", "eidas1")
    # The ID token is kept for the logout, and it is the provider's (signed ES256).
    id_token = client.session["franceconnect_id_token"]
    keys = KeySet.import_key_set(requests.get(franceconnect.issuer + "/jwks", timeout=10).json())
    decoded = jwt.decode(id_token, keys, algorithms=["ES256"])
    assert decoded.header["alg"] == "ES256" and decoded.claims["sub"] == DEFAULT_PERSON["sub"]
    # The code was exchanged with client_secret_post: the secret in the form, no Basic authentication.
    (token_request,) = franceconnect.log()["token"]
    assert token_request["client_id"] == CLIENT_ID and token_request["client_secret"] == "***"
    assert token_request["authorization_header"] == "no"
    event = AuditEvent.objects.get(action="franceconnect.sign_up")
    assert event.actor_id == user.pk and event.details["sub"] == DEFAULT_PERSON["sub"]


def test_signing_in_again_finds_the_same_account_and_updates_the_identity(client, franceconnect):
    sign_in(client)
    client.logout()
    franceconnect.configure(person={"given_name": "Angela", "preferred_username": "MARTIN"})

    response = sign_in(client)

    assert User.objects.count() == 1
    user = response.wsgi_request.user
    assert user.first_name == "Angela"
    identity = applicant_identity(user)
    assert identity["given_name"] == "Angela" and identity["preferred_username"] == "MARTIN"
    assert identity["family_name"] == "DUBOIS" and identity["certified_by"] == "FranceConnect"
    assert AuditEvent.objects.filter(action="franceconnect.sign_in", actor=user).count() == 1


def test_an_account_with_the_same_email_is_linked_and_keeps_its_password(client, franceconnect):
    existing = UserFactory(email=DEFAULT_PERSON["email"], first_name="Angie", last_name="D.")

    response = sign_in(client)

    assert response.wsgi_request.user.pk == existing.pk
    existing.refresh_from_db()
    assert existing.check_password("mot-de-passe-de-test")
    assert (existing.first_name, existing.last_name) == ("Angela Claire Louise", "DUBOIS")
    assert FranceConnectIdentity.objects.get(user=existing).sub == DEFAULT_PERSON["sub"]


def test_linking_an_unconfirmed_account_drops_the_password_nobody_confirmed(client, franceconnect):
    squatter = UserFactory(email=DEFAULT_PERSON["email"], is_active=False, email_confirmed_at=None)

    response = sign_in(client)

    assert response.wsgi_request.user.pk == squatter.pk
    squatter.refresh_from_db()
    assert squatter.is_active and squatter.email_confirmed_at is not None
    assert not squatter.has_usable_password()


def test_an_email_already_tied_to_another_franceconnect_identity_is_refused(client, franceconnect):
    other = UserFactory(email=DEFAULT_PERSON["email"])
    FranceConnectIdentity.objects.create(user=other, sub="another-sub", given_name="X", family_name="Y")

    response = sign_in(client)

    assert response.status_code == 400
    assert "déjà celle d’un compte relié à une autre identité FranceConnect" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_cancelling_at_franceconnect_says_so(client, franceconnect):
    franceconnect.configure(fault="deny")
    callback = through_provider(start(client))
    assert parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]

    response = back_to_guichet(client, callback)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Connexion annulée" in html and "Vous avez annulé la connexion avec FranceConnect." in html
    assert not response.wsgi_request.user.is_authenticated


def test_a_return_with_another_state_is_refused(client, franceconnect):
    callback = through_provider(start(client))
    parts = urlsplit(callback)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    forged = f"{parts.path}?{urlencode({**query, 'state': 'x' * 43})}"

    response = client.get(forged)

    assert response.status_code == 400
    assert "Cette page de retour de FranceConnect n’est plus valable" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert franceconnect.log()["token"] == [], "the code is not even exchanged"


def test_a_return_replayed_in_another_browser_is_refused(client, franceconnect):
    callback = through_provider(start(client))
    back_to_guichet(client, callback)
    client.logout()

    response = back_to_guichet(client, callback)

    assert response.status_code == 400
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("id_token_bad_signature", "ID token refused: BadSignatureError"),
        ("id_token_wrong_nonce", "ID token refused: InvalidClaimError(\"invalid_claim: Invalid claim: 'nonce'"),
        ("userinfo_bad_signature", "userinfo refused: BadSignatureError"),
        ("userinfo_unsigned", "userinfo is 'application/json', not a signed JWT"),
        ("userinfo_other_sub", "userinfo refused: InvalidClaimError(\"invalid_claim: Invalid claim: 'sub'"),
    ],
)
def test_tokens_that_do_not_verify_are_refused(client, franceconnect, caplog, fault, reason):
    franceconnect.configure(fault=fault)

    response = sign_in(client)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Connexion impossible avec FranceConnect" in html
    assert "La connexion avec FranceConnect n’a pas abouti." in html
    assert not response.wsgi_request.user.is_authenticated
    assert not User.objects.exists() and not FranceConnectIdentity.objects.exists()
    assert reason in caplog.text


def test_rs256_signatures_are_accepted_too(client, franceconnect):
    franceconnect.configure(alg="RS256")

    response = sign_in(client)

    assert response.wsgi_request.user.email == DEFAULT_PERSON["email"]
    assert (
        jwt.decode(
            client.session["franceconnect_id_token"],
            KeySet.import_key_set(requests.get(franceconnect.issuer + "/jwks", timeout=10).json()),
            algorithms=["RS256"],
        ).claims["sub"]
        == DEFAULT_PERSON["sub"]
    )


def test_a_provider_that_does_not_answer_gives_a_clear_page(client, settings, franceconnect):
    settings.FRANCECONNECT_ISSUER = "http://127.0.0.1:9/api/v2"  # the discard port: nobody listens

    response = client.post(reverse("accounts:franceconnect_login"))

    assert response.status_code == 502
    assert "FranceConnect ne répond pas pour le moment." in response.content.decode()


def test_signing_out_ends_the_franceconnect_session_too(client, franceconnect):
    sign_in(client)
    id_token = client.session["franceconnect_id_token"]

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == franceconnect.issuer + "/session/end"
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == SITE + "/compte/franceconnect/deconnecte/"
    assert len(query["state"]) >= 32
    assert "_auth_user_id" not in client.session, "signed out of Guichet before leaving"

    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    (logout,) = franceconnect.log()["logouts"]
    assert logout["id_token_claims"]["sub"] == DEFAULT_PERSON["sub"]
    back = at_provider.headers["Location"]
    assert parse_qs(urlsplit(back).query)["state"] == [query["state"]]

    response = client.get(back.removeprefix(SITE), follow=True)
    assert "Vous êtes déconnecté de ce service et de FranceConnect." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_local_account_signs_out_without_going_to_franceconnect(client, franceconnect):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("public:home")


def test_the_account_page_shows_the_certified_identity_locked(client, franceconnect):
    user = sign_in(client).wsgi_request.user

    response = client.get(reverse("accounts:profile"))

    html = response.content.decode()
    assert "Identité certifiée par FranceConnect" in html
    assert "Angela Claire Louise" in html and "DUBOIS" in html and "24 août 1962" in html
    assert 'name="first_name"' not in html and 'name="last_name"' not in html
    response = client.post(reverse("accounts:profile"), {"first_name": "Autre", "last_name": "Nom"}, follow=True)
    assert "ne peut pas être modifiée ici" in response.content.decode()
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Angela Claire Louise", "DUBOIS")


def test_client_secret_is_never_sent_in_the_browser(client, franceconnect):
    assert CLIENT_SECRET not in start(client)


def test_a_discovery_document_that_names_another_issuer_is_refused(client, settings, franceconnect):
    # Same server, another name: the document says 127.0.0.1, Guichet was told localhost.
    settings.FRANCECONNECT_ISSUER = franceconnect.issuer.replace("127.0.0.1", "localhost")

    response = client.post(reverse("accounts:franceconnect_login"))

    assert response.status_code == 502
    assert "La connexion avec FranceConnect n’a pas abouti." in response.content.decode()
    assert franceconnect.log()["authorize"] == []


@pytest.mark.parametrize(
    ("acr", "requested", "accepted"),
    [
        ("eidas1", "eidas1", True),
        ("eidas2", "eidas1", True),
        ("eidas1", "eidas2", False),
        ("", "eidas1", False),
        ("autre", "eidas1", False),
    ],
)
def test_the_level_of_guarantee_must_be_at_least_the_one_asked_for(acr, requested, accepted):
    assert franceconnect_module.acr_satisfies(acr, requested) is accepted


def test_a_level_of_guarantee_below_the_one_asked_for_is_refused(client, settings, franceconnect, caplog):
    settings.FRANCECONNECT_ACR_VALUES = "eidas2"  # the provider answers with eidas1, its only level

    response = sign_in(client)

    assert response.status_code == 400
    assert "acr 'eidas1' is below the level asked for" in caplog.text
    assert not response.wsgi_request.user.is_authenticated


def test_an_agent_signing_in_with_franceconnect_still_passes_the_second_factor(client, franceconnect):
    agent = instructor_of(ProcedureFactory(), email=DEFAULT_PERSON["email"])

    response = back_to_guichet(client, through_provider(start(client)))

    # FranceConnect is the first factor: the session opens only after the agent's own second factor.
    assert response.status_code == 302 and response["Location"] == reverse("accounts:second_factor_setup")
    assert client.session.get("_auth_user_id") != str(agent.pk)
