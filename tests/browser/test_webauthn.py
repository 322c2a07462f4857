"""A security key as second factor, in Chromium with a virtual authenticator (the DevTools protocol's
WebAuthn domain): enrolled while signing in, then used to sign in again."""

import re

import pytest
from playwright.sync_api import expect

from guichet.accounts.models import OrganisationRole, WebAuthnCredential
from guichet.core.models import AuditEvent
from tests.factories import OrganisationFactory, UserFactory

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def virtual_authenticator(page) -> tuple:
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    added = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session, added["authenticatorId"]


def password_step(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill("mot-de-passe-de-test")
    page.get_by_role("button", name="Se connecter").click()


def test_an_administrator_enrols_a_security_key_and_signs_in_with_it(live_server, page):
    admin = UserFactory(email="admin.cle@exemple.fr")
    OrganisationRole.objects.create(
        user=admin, organisation=OrganisationFactory(), role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    session, authenticator = virtual_authenticator(page)

    password_step(page, live_server.url, admin.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer une clé de sécurité").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    (credential,) = WebAuthnCredential.objects.filter(user=admin)
    stored = session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1
    assert AuditEvent.objects.filter(action="second_factor.webauthn_add", actor=admin).count() == 1
    page.get_by_role("link", name="J’ai noté mes codes, continuer").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    # Signed out, then in again: the password, then the key.
    page.get_by_role("button", name="Se déconnecter").click()
    password_step(page, live_server.url, admin.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    assert_accessible(page)
    page.get_by_role("button", name="Utiliser ma clé de sécurité").click()

    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
    credential.refresh_from_db()
    assert credential.last_used_at is not None and credential.sign_count >= 1
