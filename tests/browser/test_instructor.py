"""An instructor works through a demo procedure in Chromium: from the header to the list, a
dossier, its instruction and its decision; every page audited by axe-core."""

import re

import pyotp
import pytest
from django.core import mail
from playwright.sync_api import expect

from guichet.demo.loader import DEMO_PASSWORD, DEMO_TOTP_SECRET, INSTRUCTOR_TOWN
from guichet.dossiers.models import Dossier, DossierState

from .axe import assert_accessible
from .layout import assert_labels_whole, selection_boxes_outside_their_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCEDURE = "Inscription sur les listes électorales"


def test_an_instructor_opens_a_new_dossier_instructs_it_and_accepts_it(live_server, page, demo):
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(INSTRUCTOR_TOWN.email)
    page.get_by_label("Mot de passe", exact=False).first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="Vérifier").click()

    page.get_by_role("banner").get_by_role("link", name="Instruction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes démarches à instruire")
    assert_accessible(page)
    page.get_by_role("link", name=PROCEDURE, exact=True).click()
    expect(page.get_by_role("link", name=re.compile(r"À traiter \(\d+\)"))).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    # Each selection box sits inside its row; the bulk actions' buttons show their words.
    assert selection_boxes_outside_their_rows(page, "#dossiers") == []
    expect(page.get_by_role("button", name="Télécharger leurs pièces (ZIP)")).to_have_text(
        "Télécharger leurs pièces (ZIP)"
    )
    assert_labels_whole(page)

    first = page.locator("#dossiers tbody tr").first.get_by_role("link")
    number = first.inner_text().removeprefix("n°")
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier n°{number}")
    assert_accessible(page)
    page.get_by_role("button", name="Suivre ce dossier").click()
    expect(page.get_by_text("Vous suivez ce dossier")).to_be_visible()

    page.locator("label", has_text="Passer en instruction").click()
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("l’usager en est informé par courriel")).to_be_visible()
    # Refusing without a motivation is stopped, with the error next to the field.
    page.locator("label", has_text="Refuser").click()
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Une motivation est obligatoire pour « refuser ».").first).to_be_visible()
    assert_accessible(page)
    page.locator("label", has_text="Accepter").click()
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Accepté").first).to_be_visible()

    dossier = Dossier.objects.get(number=number)
    assert dossier.state == DossierState.ACCEPTED
    assert any("acceptée" in message.body for message in mail.outbox)
    page.get_by_role("link", name=PROCEDURE, exact=True).click()
    page.get_by_role("link", name=re.compile(r"Suivis \(\d+\)")).click()
    expect(page.get_by_role("link", name=f"n°{number}")).to_be_visible()

    # A key for the service's software, made here and used at once against the API.
    page.get_by_role("banner").get_by_role("link", name="Instruction").click()
    page.get_by_role("link", name="vos clés d’API").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clés d’API")
    page.get_by_label("Nom de la clé").fill("Logiciel de la mairie")
    page.get_by_role("button", name="Créer une clé").click()
    key = page.locator("#nouvelle-cle").inner_text()
    assert_accessible(page)
    answer = page.request.get(
        live_server.url + "/api/v1/instruction/procedures", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status == 200 and PROCEDURE in {row["title"] for row in answer.json()}
