"""Agents signing in with ProConnect, end to end against the local provider (a real OpenID Connect
server in another process, serving ProConnect's claims and a signed JWT user info): the browser's
redirects are followed by hand, Guichet's calls to the provider are real HTTP."""

import json
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import requests
from django.urls import reverse

from guichet.accounts.models import OrganisationRole, ProConnectIdentity, User
from guichet.accounts.proconnect import MFA_ACR_VALUES
from guichet.accounts.services import organisation_role_grant
from guichet.core.encryption import text_decrypt
from guichet.core.models import AuditEvent
from tests.accounts.oidc_fixtures import CLIENT_ID
from tests.accounts.oidc_provider import DEFAULT_AGENT
from tests.factories import OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def start(client, next_url: str = "") -> str:
    response = client.post(reverse("accounts:proconnect_login"), {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def through_provider(authorize_url: str) -> str:
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def back(client, callback_url: str):
    assert callback_url.startswith(SITE + "/compte/proconnect/retour/")
    return client.get(callback_url.removeprefix(SITE))


def sign_in(client, next_url: str = ""):
    """Through ProConnect (twice when Guichet asks again for a second factor); returns the last answer."""
    response = back(client, through_provider(start(client, next_url)))
    if response.status_code == 302 and response["Location"].startswith("http://127.0.0.1"):
        response = back(client, through_provider(response["Location"]))
    return response


@pytest.fixture
def instructor():
    return instructor_of(ProcedureFactory(), email=DEFAULT_AGENT["email"], first_name="Cam", last_name="M.")


@pytest.fixture
def administrator():
    user = UserFactory(email=DEFAULT_AGENT["email"])
    organisation_role_grant(
        actor=None,
        user=user,
        organisation=OrganisationFactory(),
        role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR,
    )
    return user


def test_the_sign_in_page_offers_proconnect_only_when_configured(client, settings, proconnect):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Agent public : avec ProConnect" in html and 'data-testid="proconnect"' in html
    settings.PROCONNECT_CLIENT_SECRET = ""
    assert "ProConnect" not in client.get(reverse("accounts:login")).content.decode()
    assert client.post(reverse("accounts:proconnect_login")).status_code == 404


def test_the_authorization_request_has_only_proconnect_s_parameters(client, proconnect):
    authorize_url = start(client)

    parts = urlsplit(authorize_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == proconnect.issuer + "/authorize"
    query = query_of(authorize_url)
    # Any other parameter is refused by ProConnect (Y000400): no acr_values.
    assert set(query) == {"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "claims"}
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert query["redirect_uri"] == SITE + "/compte/proconnect/retour/"
    assert query["scope"].split() == ["openid", "email", "given_name", "usual_name", "uid", "siret", "idp_id"]
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert json.loads(query["claims"]) == {"id_token": {"amr": {"essential": True}}}


def test_an_instructor_is_linked_by_email_then_found_again_by_sub(client, proconnect, instructor):
    organisation = OrganisationFactory(siret=DEFAULT_AGENT["siret"])

    response = sign_in(client, next_url="/instruction/")

    assert response.status_code == 302 and response["Location"] == "/instruction/"
    assert client.session["_auth_user_id"] == str(instructor.pk)
    identity = ProConnectIdentity.objects.get(user=instructor)
    assert identity.sub == DEFAULT_AGENT["sub"] and identity.idp_id == DEFAULT_AGENT["idp_id"]
    assert (identity.uid, identity.siret, identity.organisation) == ("cmartin", DEFAULT_AGENT["siret"], organisation)
    assert (identity.acr, identity.amr) == ("eidas1", ["pwd"])
    instructor.refresh_from_db()
    assert (instructor.first_name, instructor.last_name) == ("Camille", "MARTIN")
    assert AuditEvent.objects.get(action="proconnect.link").details["organisation"] == organisation.slug

    # Later, ProConnect sends another address for the same sub: the account is found by sub.
    client.logout()
    proconnect.configure(profile="proconnect", person={"email": "c.martin@nouvelle-adresse.gouv.fr"})
    response = sign_in(client)
    assert client.session["_auth_user_id"] == str(instructor.pk)
    assert AuditEvent.objects.filter(action="proconnect.sign_in", actor=instructor).count() == 1
    assert User.objects.count() == 1


def test_an_identity_matching_no_agent_account_gets_a_page_saying_who_to_ask(client, proconnect):
    UserFactory(email=DEFAULT_AGENT["email"])  # an applicant's account is not an agent's

    response = sign_in(client)

    assert response.status_code == 403
    html = response.content.decode()
    assert "Aucun compte d’agent ne correspond" in html and DEFAULT_AGENT["email"] in html
    assert "demandez à l’administrateur de la démarche de vous ajouter à un groupe instructeur" in html
    assert "_auth_user_id" not in client.session
    assert not ProConnectIdentity.objects.exists() and User.objects.count() == 1


def test_an_administrator_is_asked_for_a_second_factor_at_proconnect(client, proconnect, administrator):
    proconnect.configure(
        profile="proconnect", mfa=True, mfa_acr="https://proconnect.gouv.fr/assurance/self-asserted-2fa"
    )

    first = back(client, through_provider(start(client)))

    # The first return (acr eidas1) is not enough: once more to ProConnect, with an essential acr.
    assert first.status_code == 302 and first["Location"].startswith(proconnect.issuer + "/authorize")
    assert "_auth_user_id" not in client.session
    claims = json.loads(query_of(first["Location"])["claims"])
    assert claims["id_token"]["acr"] == {"essential": True, "values": list(MFA_ACR_VALUES)}
    response = back(client, through_provider(first["Location"]))

    assert response.status_code == 302 and response["Location"] == reverse("public:home")
    assert client.session["_auth_user_id"] == str(administrator.pk)
    identity = ProConnectIdentity.objects.get(user=administrator)
    assert identity.acr == "https://proconnect.gouv.fr/assurance/self-asserted-2fa"
    assert identity.amr == ["pwd", "totp", "mfa"]


def test_an_administrator_without_a_second_factor_at_proconnect_gets_guichet_s_own(client, proconnect, administrator):
    response = sign_in(client)  # the identity provider cannot do a second factor: eidas1 twice

    assert response.status_code == 302 and response["Location"] == reverse("accounts:second_factor_setup")
    assert "_auth_user_id" not in client.session, "no session before the second factor"
    page = client.get(response["Location"])
    assert "La double authentification est obligatoire pour les comptes d’agents" in page.content.decode()

    # Enrolling Guichet's second factor opens the session, which keeps ProConnect's ID token (logout).
    secret = text_decrypt(client.session["second_factor_setup_secret"])
    done = client.post(reverse("accounts:second_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "Vos codes de secours" in done.content.decode()
    assert client.session["_auth_user_id"] == str(administrator.pk)
    assert client.session["proconnect_id_token"]
    assert len(proconnect.log()["authorize"]) == 2, "asked ProConnect once more, then Guichet's own"


def test_an_instructor_does_not_need_a_second_factor_at_proconnect(client, proconnect, instructor):
    sign_in(client)
    assert client.session["_auth_user_id"] == str(instructor.pk)
    assert len(proconnect.log()["authorize"]) == 1


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("userinfo_bad_signature", "userinfo refused: BadSignatureError"),
        ("id_token_bad_signature", "ID token refused: BadSignatureError"),
        ("userinfo_unsigned", "userinfo is 'application/json', not a signed JWT"),
    ],
)
def test_a_bad_signature_is_refused(client, proconnect, instructor, caplog, fault, reason):
    proconnect.configure(profile="proconnect", fault=fault)

    response = sign_in(client)

    assert response.status_code == 400
    assert "La connexion avec ProConnect n’a pas abouti." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not ProConnectIdentity.objects.exists()
    assert reason in caplog.text


def test_signing_out_ends_the_proconnect_session_with_the_id_token(client, proconnect, instructor):
    sign_in(client)
    id_token = client.session["proconnect_id_token"]

    response = client.post(reverse("accounts:logout"))

    parts = urlsplit(response["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == proconnect.issuer + "/session/end"
    query = query_of(response["Location"])
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == SITE + "/compte/proconnect/deconnecte/"
    assert "_auth_user_id" not in client.session
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    (logout,) = proconnect.log()["logouts"]
    assert logout["id_token_claims"]["sub"] == DEFAULT_AGENT["sub"]
    response = client.get(at_provider.headers["Location"].removeprefix(SITE), follow=True)
    assert "Vous êtes déconnecté de ce service et de ProConnect." in response.content.decode()
