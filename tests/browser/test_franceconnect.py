import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.oidc_fixtures import franceconnect, oidc_provider  # noqa: F401
from tests.accounts.oidc_provider import DEFAULT_PERSON

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_in_with_franceconnect_and_finds_their_identity_locked(live_server, page, franceconnect):  # noqa: F811
    franceconnect.configure(site=live_server.url)

    page.goto(live_server.url + reverse("accounts:login") + "?next=" + reverse("accounts:profile"))
    expect(page.get_by_role("link", name="Qu’est-ce que FranceConnect ?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="S’identifier avec FranceConnect").click()

    # The local provider consents at once and sends the browser back, signed in, to "Mon compte".
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_test_id("connected-user")).to_have_text("Angela Claire Louise DUBOIS")
    expect(page.get_by_text("Vous êtes connecté avec FranceConnect.")).to_be_visible()
    identity = page.get_by_test_id("identite-certifiee")
    expect(identity.get_by_role("heading")).to_have_text("Identité certifiée par FranceConnect")
    expect(identity.get_by_test_id("given_name")).to_have_text("Angela Claire Louise")
    expect(identity.get_by_test_id("family_name")).to_have_text("DUBOIS")
    expect(identity.get_by_test_id("birthdate")).to_have_text("24 août 1962")
    expect(page.get_by_test_id("email")).to_have_text(DEFAULT_PERSON["email"])
    # Locked: nothing to type the names into.
    expect(page.get_by_role("textbox")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté de ce service et de FranceConnect.")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    assert len(franceconnect.log()["logouts"]) == 1
