"""The archivist's space on the demo data in Chromium, audited by axe-core: the demo archivist signs
in (with the second factor), reaches the space from the header, reads the states and sets a
procedure's retention rules."""

import pyotp
import pytest
from playwright.sync_api import expect

from guichet.demo.loader import ARCHIVIST, DEMO_PASSWORD, DEMO_TOTP_SECRET
from guichet.procedures.models import Procedure

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_archivist_reads_the_states_and_sets_a_procedures_rules(live_server, page, demo):
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(ARCHIVIST.email)
    page.get_by_label("Mot de passe", exact=False).first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="Vérifier").click()
    page.get_by_role("link", name="Archives", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace archives")
    expect(page.get_by_role("table", name="Dossiers par état de conservation")).to_contain_text("À verser")
    assert_accessible(page)

    page.get_by_role("link", name="Règles de conservation").first.click()
    page.get_by_role("link", name="Demande de copie intégrale d’acte de naissance").click()
    assert_accessible(page)
    page.get_by_label("Durée d’utilité administrative (en années)").fill("0")
    page.get_by_role("button", name="Enregistrer les règles de conservation").click()
    expect(page.get_by_text("La durée d’utilité administrative est d’un an au moins.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Durée d’utilité administrative (en années)").fill("2")
    page.get_by_role("button", name="Enregistrer les règles de conservation").click()
    expect(page.get_by_text("Les règles de conservation et d’archivage sont enregistrées.")).to_be_visible()
    assert Procedure.objects.get(slug="copie-integrale-acte-de-naissance").retention_years == 2

    page.get_by_role("link", name="Versements").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Versements")
    assert_accessible(page)
    page.get_by_role("link", name="Gels pour contentieux").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gels pour contentieux")
    assert_accessible(page)
