"""A person creates a local account in Chromium: sign-up, confirmation by email, lock-out; every page
audited by axe-core."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import UserFactory

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Un-mot-de-passe-solide-2026"


def test_a_person_signs_up_confirms_and_lands_where_they_were_going(live_server, page):
    page.goto(live_server.url + reverse("accounts:login") + "?next=" + reverse("accounts:profile"))
    page.get_by_role("link", name="Créer un compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")

    page.get_by_label(re.compile(r"^Prénom")).fill("Camille")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Martin")
    page.get_by_label("Adresse électronique").fill("nouvelle@exemple.fr")
    page.get_by_label("Mot de passe", exact=False).first.fill("court")
    page.get_by_label("Confirmation du mot de passe").fill("court")
    page.get_by_role("button", name="Créer mon compte").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Ce mot de passe est trop court.")
    expect(summary).to_be_focused()
    assert_accessible(page)

    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    assert_accessible(page)

    (message,) = mail.outbox
    link = re.search(r"(http://\S+/compte/inscription/confirmer/\S+)", message.body).group(1)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer mon adresse et me connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_text("Votre adresse électronique est confirmée")).to_be_visible()
    expect(page.get_by_test_id("email")).to_have_text("nouvelle@exemple.fr")
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Martin")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("connected-user")).to_have_text("Camille Martin")
    assert_accessible(page)


def test_five_wrong_passwords_lead_to_the_lockout_page(live_server, page):
    UserFactory(email="usager@exemple.fr")
    page.goto(live_server.url + reverse("accounts:login"))
    for _ in range(5):
        page.get_by_label("Adresse électronique").fill("usager@exemple.fr")
        page.get_by_label("Mot de passe", exact=False).first.fill("faux")
        page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion bloquée temporairement")
    expect(page.get_by_text("Vous pourrez réessayer à partir de")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Choisir un nouveau mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié")
