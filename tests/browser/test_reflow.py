"""Every page an applicant meets, at a phone's 320 px (WCAG 1.4.10, RGAA 10.11): nothing scrolls
sideways, no control shows an icon without its words; long words (a file name, an address, a
link) wrap. The pages new to this journey are audited by axe-core too."""

import re

import pytest
from playwright.sync_api import expect

from guichet.dossiers.models import Dossier, Opinion
from guichet.instruction.messages import message_send
from tests.factories import ProcedureFactory, UserFactory, instructor_of
from tests.samples import minimal_pdf
from tests.www.test_usager import DEFINITION

from .axe import assert_accessible
from .layout import assert_reflows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Un mot de passe solide 2026"
PDF = minimal_pdf()
LONG_WORD = "attestation-de-financement-du-permis-de-conduire-categorie-B-2026"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_every_applicant_page_fits_320_px_without_scrolling_sideways(phone, live_server, tmp_path):
    page = phone
    procedure = ProcedureFactory(
        draft_definition=DEFINITION,
        title="Demande d’aide au financement du permis de conduire pour l’insertion professionnelle",
    )
    applicant = UserFactory(password=PASSWORD)
    checked: list[str] = []

    # Before signing in: the catalogue, the procedure, creating an account, signing in, the footer's pages.
    page.goto(live_server.url)
    assert_reflows(page, checked)
    page.get_by_role("link", name=procedure.title).click()
    expect(page.get_by_role("heading", level=1, name=procedure.title)).to_be_visible()
    assert_reflows(page, checked)
    for path in ("/compte/inscription/", "/compte/mot-de-passe/oubli/"):
        page.goto(live_server.url + path)
        assert_reflows(page, checked)
    for name in (
        "Plan du site",
        "Mentions légales",
        "Données personnelles",
        "Gestion des cookies",
        "Accessibilité : non conforme",
    ):
        page.goto(live_server.url)
        page.get_by_role("contentinfo").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_reflows(page, checked)
        assert_accessible(page)
    page.goto(live_server.url + "/compte/connexion/")
    assert_reflows(page, checked)
    page.get_by_label("Adresse électronique").fill(applicant.email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(live_server.url + "/mes-dossiers/")
    expect(page.get_by_text("Vous n’avez pas encore de dossier")).to_be_visible()
    assert_reflows(page, checked)

    # The form's pages, with a long word and a file whose name is one long word.
    page.goto(f"{live_server.url}/demarches/{procedure.slug}/")
    page.get_by_role("button", name="Commencer la démarche").click()
    page.get_by_label("Objet de la demande").fill(LONG_WORD)
    page.get_by_text("Oui", exact=True).click()
    page.get_by_label("Pourquoi est-ce urgent ?").fill("Entretien d’embauche le mois prochain")
    page.wait_for_load_state("networkidle")
    assert_reflows(page, checked)
    page.get_by_role("button", name="Suivant", exact=True).last.click()
    pdf = tmp_path / f"{LONG_WORD}.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("Justificatif").set_input_files(str(pdf))
    expect(page.get_by_text(f"{LONG_WORD}.pdf")).to_be_visible()
    assert_reflows(page, checked)
    page.get_by_role("button", name="Suivant", exact=True).last.click()
    expect(page.get_by_role("heading", name="Récapitulatif")).to_be_visible()
    assert_reflows(page, checked)
    page.get_by_role("button", name="Déposer le dossier").click()

    # The confirmation and its opinion form; the questions on help appear once "Oui" is ticked.
    expect(page.get_by_role("heading", name=re.compile(r"Votre dossier n°\S+ est déposé"))).to_be_visible()
    expect(page.get_by_role("link", name="Télécharger mon dossier (PDF)")).to_have_text("Télécharger mon dossier (PDF)")
    assert_reflows(page, checked)
    expect(page.locator("#avis-suite-aide")).to_be_hidden()
    page.locator("label[for=id_overall_2]").click()
    page.locator("label[for=id_help_needed_0]").click()
    expect(page.locator("#avis-suite-aide")).to_be_visible()
    page.get_by_text("Par téléphone", exact=True).click()
    assert_reflows(page, checked)
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer mon avis").click()
    expect(page.get_by_text("Merci pour votre avis")).to_be_visible()
    dossier = Dossier.objects.get(applicant=applicant)
    assert Opinion.objects.get(dossier=dossier).help_channels == ["phone"]

    # The dossier's page and its messages, with a long link from the administration.
    message_send(
        actor=instructor_of(procedure),
        dossier=dossier,
        body=f"Merci de consulter https://www.service-public.fr/particuliers/vosdroits/{LONG_WORD}/conditions",
    )
    page.goto(f"{live_server.url}/mes-dossiers/{dossier.pk}/")
    expect(page.get_by_text("Merci de consulter")).to_be_visible()
    assert_reflows(page, checked)
    page.get_by_label("Votre message").fill(f"Voici la pièce {LONG_WORD}.")
    page.get_by_label("Joindre un fichier (facultatif)").set_input_files(str(pdf))
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_text("Votre message est envoyé à l’administration.")).to_be_visible()
    assert_reflows(page, checked)
    page.goto(f"{live_server.url}/mes-dossiers/{dossier.pk}/retirer/")
    assert_reflows(page, checked)

    # "Mes dossiers" shows the state and what is left to do, on a phone too.
    page.goto(live_server.url + "/mes-dossiers/")
    card = page.get_by_test_id("dossier-carte")
    expect(card.get_by_role("link", name=f"n°{dossier.number}")).to_be_visible()
    expect(card.get_by_text("À faire : ")).to_be_visible()
    expect(card.locator(".fr-badge")).to_be_visible()
    assert_reflows(page, checked)
    assert_accessible(page)
    page.goto(live_server.url + "/compte/profil/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    assert_reflows(page, checked)
    assert len(checked) == 21
