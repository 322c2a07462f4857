"""The HubEE administration screens on the demo data in Chromium, audited by axe-core: the demo
administrator reaches them from « Mes démarches », reads the town hall's subscription to EtatCivil and
fixes a mapping after a clear refusal."""

import pyotp
import pytest
from playwright.sync_api import expect

from guichet.demo.loader import ADMINISTRATOR, DEMO_PASSWORD, DEMO_TOTP_SECRET
from guichet.exchanges.models import HubeeFieldMapping

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_reads_the_subscription_and_fixes_a_mapping(live_server, page, demo):
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(ADMINISTRATOR.email)
    page.get_by_label("Mot de passe", exact=False).first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="Vérifier").click()
    page.goto(live_server.url + "/administration/demarches/")
    page.get_by_role("link", name="HubEE", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("HubEE")
    assert_accessible(page)
    page.get_by_role("link", name="EtatCivil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abonnement à la démarche HubEE EtatCivil")
    assert_accessible(page)
    page.get_by_role("link", name="Modifier les correspondances").click()
    page.get_by_label("Nombre de copies", exact=False).fill("nombre.copies")
    page.get_by_role("button", name="Enregistrer les correspondances").click()
    expect(page.get_by_text("n’est pas une donnée HubEE connue", exact=False)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nombre de copies", exact=False).fill("data.demande.nombreCopies")
    page.get_by_role("button", name="Enregistrer les correspondances").click()
    expect(page.get_by_text("Correspondances enregistrées.")).to_be_visible()
    assert HubeeFieldMapping.objects.get(field_id="nombre_copies").source == "data.demande.nombreCopies"
    page.get_by_role("link", name="HubEE").first.click()
    page.get_by_role(
        "link", name="Transmettre par HubEE les dossiers de Demande de copie intégrale", exact=False
    ).click()
    assert_accessible(page)
