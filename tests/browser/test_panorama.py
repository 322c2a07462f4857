"""The demo's panorama in Chromium: read without JavaScript (an edition picked with the plain GET
form, charts drawn on the server, a project's page), audited by axe-core; the steering team
updates a project and publishes a new edition."""

import pyotp
import pytest
from playwright.sync_api import expect

from guichet.demo.loader import DEMO_PASSWORD, DEMO_TOTP_SECRET, STEERING

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_panorama_reads_without_javascript(live_server, browser, demo):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/observatoire/panorama/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Panorama des grands projets numériques")
        expect(page.get_by_test_id("panorama-edition")).to_contain_text("Édition de l’été 2017")
        expect(page.get_by_test_id("svg-chart").first).to_be_visible()
        expect(page.get_by_role("table", name="Coût estimé et dérives de chaque projet")).to_contain_text("Comedec")
        page.get_by_role("combobox", name="Édition").select_option(label=page.locator("option").nth(1).inner_text())
        page.get_by_role("button", name="Afficher cette édition").click()
        expect(page.get_by_test_id("panorama-edition")).to_contain_text("Édition de février 2017")
        expect(page.get_by_test_id("past-edition")).to_be_visible()
        page.get_by_role("link", name="Comedec").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Comedec")
        expect(page.get_by_test_id("panorama-project-values")).to_contain_text("21,0 M€")
    finally:
        context.close()


def test_the_panorama_pages_are_accessible(live_server, page, demo):
    page.goto(live_server.url + "/observatoire/panorama/")
    assert_accessible(page)
    page.get_by_role("link", name="PIB/Mistral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PIB/Mistral")
    assert_accessible(page)


def test_the_steering_team_updates_a_project_and_publishes_an_edition(live_server, page, demo):
    page.goto(live_server.url + "/compte/connexion/?next=/observatoire/pilotage/panorama/")
    page.get_by_label("Adresse électronique").fill(STEERING.email)
    page.get_by_label("Mot de passe", exact=False).first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilotage du panorama des grands projets numériques")
    assert_accessible(page)

    page.get_by_role("link", name="Modifier « Desta »").click()
    assert_accessible(page)
    page.get_by_label("Coût estimé actuellement (M€)").fill("16,2")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("table", name="Projets dont vous assurez le pilotage")).to_contain_text("16,2 M€")

    page.get_by_role("link", name="Préparer une édition").click()
    page.get_by_label("Titre").fill("Édition de février 2018")
    page.get_by_label("Date de publication").fill("28/02/2018")
    page.get_by_role("button", name="Préparer l’édition").click()
    expect(page.get_by_test_id("edition-state")).to_contain_text("En préparation")
    assert_accessible(page)
    page.get_by_role("button", name="Publier l’édition et figer ses valeurs").click()
    expect(page.get_by_test_id("panorama-edition")).to_contain_text("Édition de février 2018")
    row = (
        page.get_by_role("table", name="Coût estimé et dérives de chaque projet")
        .get_by_role("row")
        .filter(has_text="Desta")
    )
    expect(row).to_contain_text("16,2 M€")
    expect(row).to_contain_text("+21,8 %")  # (16.2 − 13.3) / 13.3
