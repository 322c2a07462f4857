"""The demo's panorama in Chromium: read without JavaScript (an edition picked with the plain GET
form, charts drawn on the server, a project's page), and audited by axe-core."""

import pytest
from playwright.sync_api import expect

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
