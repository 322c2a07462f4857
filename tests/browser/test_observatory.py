"""The observatory on the demo data in Chromium: the three views and a steering form, audited by
axe-core; the steering team changes a declared value and the quality table shows its new level;
anyone reads a past edition of the quality table."""

import datetime

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guichet.demo.loader import DEMO_PASSWORD, DEMO_TOTP_SECRET, STEERING
from guichet.observatory import indicators as ind
from guichet.observatory.aggregation import observatory_aggregate

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_observatory_reads_well_and_the_steering_team_edits_it(live_server, page, demo):
    page.goto(live_server.url)
    page.get_by_role("link", name="Observatoire et données ouvertes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Observatoire de la qualité des démarches")
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text="Inscription à la restauration scolaire")
    expect(row).to_contain_text("Insuffisant")  # not online yet, said in words
    for view, heading in (
        ("Programme", "Programme des démarches"),
        ("Baromètre des résultats", "Baromètre des résultats"),
    ):
        page.get_by_role("navigation", name="Vues de l’observatoire").get_by_role("link", name=view).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
    page.goto(live_server.url + "/observatoire/")
    page.get_by_role("link", name="Demande de copie intégrale d’acte de naissance").first.click()
    expect(page.get_by_role("table", name="Dépôts, décisions, délais et satisfaction par mois")).to_be_visible()
    # DSFR Chart, loaded from our static files, draws the monthly series on a canvas.
    page.wait_for_function("customElements.get('bar-chart') !== undefined")
    expect(page.locator("bar-chart canvas").first).to_be_visible()
    assert_accessible(page)

    # The steering team declares the RGAA rate of the school canteen: 75 % becomes 100 %, green.
    page.goto(live_server.url + "/compte/connexion/?next=/observatoire/pilotage/")
    page.get_by_label("Adresse électronique").fill(STEERING.email)
    page.get_by_label("Mot de passe", exact=False).first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace pilotage")
    assert_accessible(page)
    page.get_by_role("link", name="Modifier « Inscription à la restauration scolaire »").click()
    assert_accessible(page)
    page.get_by_label("Taux de conformité RGAA déclaré (%)").fill("100")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription à la restauration scolaire")
    indicators = page.get_by_role("table", name="Indicateurs de l’observatoire")
    expect(indicators.get_by_role("row").filter(has_text="Accessibilité")).to_contain_text("Bon")


def test_anyone_reads_a_past_edition_of_the_quality_table(live_server, page, demo):
    # A run three months ago made the previous quarter's edition; tonight's updates the current one.
    now = timezone.now()
    observatory_aggregate(now=now - datetime.timedelta(days=92))
    observatory_aggregate(now=now)
    current = ind.edition_label(ind.edition_of(timezone.localdate(now)))
    past = ind.edition_label(ind.edition_of(timezone.localdate(now - datetime.timedelta(days=92))))

    page.goto(live_server.url + "/observatoire/")
    expect(page.get_by_role("combobox", name="Édition")).to_have_value(ind.edition_of(timezone.localdate(now)))
    expect(page.get_by_role("table", name=f"Indicateurs de qualité, édition du {current}")).to_be_visible()
    page.get_by_role("combobox", name="Édition").select_option(label=past)
    page.get_by_role("button", name="Afficher cette édition").click()
    expect(page.get_by_text(f"Vous consultez l’édition du {past}")).to_be_visible()
    expect(page.get_by_role("table", name=f"Indicateurs de qualité, édition du {past}")).to_be_visible()
    assert_accessible(page)
    # The procedure's page opens in the same edition; a link leads back to the current one.
    page.get_by_role("link", name="Demande de copie intégrale d’acte de naissance").first.click()
    expect(page.get_by_role("heading", name=f"Indicateurs de qualité : édition du {past}")).to_be_visible()
    page.get_by_role("link", name=f"Voir l’édition en cours ({current})").click()
    expect(page.get_by_role("heading", name=f"Indicateurs de qualité : édition du {current}")).to_be_visible()
