"""The applicant's whole journey in Chromium, audited by axe-core on every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierState
from guichet.instruction.messages import message_send
from guichet.procedures.models import InstructorMembership
from tests.accounts.oidc_fixtures import franceconnect, oidc_provider  # noqa: F401
from tests.factories import ProcedureFactory, UserFactory
from tests.samples import minimal_pdf
from tests.www.test_usager import DEFINITION

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCEDURE = "Demande de copie intégrale d’acte de naissance"
PDF = minimal_pdf()
PASSWORD = "Un mot de passe solide 2026"


def sign_in(page, base_url: str, email: str, audited: list[str]) -> None:
    page.goto(base_url)
    page.get_by_role("link", name="Se connecter").first.click()
    assert_accessible(page, audited)
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_an_applicant_fills_leaves_comes_back_submits_and_answers_a_message(live_server, page, tmp_path, demo):
    email = "camille.martin@exemple.fr"
    audited: list[str] = []

    # A newcomer opens the procedure, is asked to sign in, and creates an account on the way.
    page.goto(live_server.url)
    page.get_by_role("link", name=PROCEDURE).click()
    assert_accessible(page, audited)
    page.locator("#commencer").get_by_role("link", name="Créer un compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    assert_accessible(page, audited)
    page.get_by_label(re.compile(r"^Prénom")).fill("Camille")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Martin")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    assert_accessible(page, audited)
    (message,) = mail.outbox
    page.goto(re.search(r"(http://\S+/compte/inscription/confirmer/\S+)", message.body).group(1))
    page.get_by_role("button", name="Confirmer mon adresse et me connecter").click()
    applicant = User.objects.get(email=email)
    assert applicant.email_confirmed_at is not None
    assert (applicant.first_name, applicant.last_name) == ("Camille", "Martin")

    # Back on the procedure, signed in: the dossier starts.
    expect(page.get_by_role("heading", level=1)).to_have_text(PROCEDURE)
    page.get_by_role("button", name="Commencer la démarche").click()

    # Page 1: answering "autre" makes the conditional questions appear, without reloading the page.
    expect(page.get_by_label("Précisez votre qualité et le motif de la demande")).to_have_count(0)
    page.get_by_text("Dans un autre cadre (notaire, avocat, généalogiste mandaté…)").click()
    expect(page.get_by_label("Précisez votre qualité et le motif de la demande")).to_be_visible()
    assert_accessible(page, audited)
    page.get_by_label("Précisez votre qualité et le motif de la demande").fill("Notaire chargé de la succession")
    pdf = tmp_path / "mandat.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("Justificatif de votre qualité").set_input_files(str(pdf))
    expect(page.get_by_text("mandat.pdf")).to_be_visible()  # uploaded at once, listed as attached
    page.get_by_label("Votre nom").fill("Martin")
    page.get_by_label("Votre prénom").fill("Camille")
    page.get_by_label("Adresse électronique").fill(applicant.email)
    page.get_by_label("Adresse électronique").press("Tab")
    page.wait_for_load_state("networkidle")

    # They leave, and come back later through "Mes dossiers": everything is there.
    page.goto(live_server.url)
    page.get_by_role("banner").get_by_role("link", name="Mes dossiers").click()
    assert_accessible(page, audited)
    page.get_by_role("link", name=re.compile(r"Brouillon n°\d+")).click()
    expect(page.get_by_label("Précisez votre qualité et le motif de la demande")).to_have_value(
        "Notaire chargé de la succession"
    )
    expect(page.get_by_text("mandat.pdf")).to_be_visible()
    page.get_by_role("button", name="Suivant", exact=True).last.click()

    # Page 2: a missing answer is reported at the top, with a link, and next to the field.
    page.locator("#champ-titulaire_nom").fill("Durand")
    page.get_by_role("button", name="Suivant", exact=True).last.click()
    expect(page.locator("#formengine-erreurs")).to_be_focused()
    assert_accessible(page, audited)
    page.locator("#champ-titulaire_prenoms").fill("Jeanne Marie")
    page.get_by_label("Date de naissance").fill("14/03/1950")
    page.get_by_label("Commune de naissance").fill("Sainte-Croix-en-Val")
    page.get_by_role("button", name="Suivant", exact=True).last.click()

    # Page 3, then the summary.
    page.get_by_label("Nombre de copies").fill("2")
    page.get_by_text("Retrait à l’accueil de la mairie", exact=True).click()
    expect(page.get_by_text("Retrait en mairie")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, audited)
    page.get_by_role("button", name="Suivant", exact=True).last.click()
    expect(page.get_by_role("heading", name="Récapitulatif")).to_be_visible()
    assert_accessible(page, audited)
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_role("heading", name=re.compile(r"Votre dossier n°\S+ est déposé"))).to_be_visible()

    dossier = Dossier.objects.get(applicant=applicant)
    assert dossier.state == DossierState.SUBMITTED and dossier.number
    expect(page.get_by_role("heading", name=f"Votre dossier n°{dossier.number} est déposé")).to_be_visible()
    assert_accessible(page, audited)

    # The instructor writes; the applicant finds the dossier in "Mes dossiers", reads and answers.
    instructor = InstructorMembership.objects.filter(group=dossier.group).first().user
    message_send(actor=instructor, dossier=dossier, body="Merci de joindre le mandat signé.")
    page.get_by_role("banner").get_by_role("link", name="Mes dossiers").click()
    page.get_by_role("link", name=f"n°{dossier.number}").click()
    expect(page.get_by_text("Merci de joindre le mandat signé.")).to_be_visible()
    assert_accessible(page, audited)
    page.get_by_label("Votre message").fill("Le voici, signé.")
    page.get_by_label("Joindre un fichier (facultatif)").set_input_files(str(pdf))
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_text("Votre message est envoyé à l’administration.")).to_be_visible()
    expect(page.get_by_text("Le voici, signé.")).to_be_visible()
    assert dossier.messages.filter(author=applicant, attachments__isnull=False).exists()
    assert len(audited) >= 9


def tab_to(page, locator, *, limit: int = 80) -> None:
    """Move the focus with the Tab key alone until it reaches `locator` (fails if it never does)."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(element) => document.activeElement === element", target):
            return
    raise AssertionError(f"Tab never reached {locator}")


def submit_with_enter(page) -> None:
    """Press Enter on the focused button or field, and wait for the page it sends to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_journey_works_with_the_keyboard_alone_at_320_px_without_javascript(browser, live_server, tmp_path):
    procedure = ProcedureFactory(draft_definition=DEFINITION, title="Demande d’aide au permis")
    applicant = UserFactory(password=PASSWORD)
    context = browser.new_context(locale="fr-FR", java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/compte/connexion/")
        tab_to(page, page.get_by_label("Adresse électronique"))
        page.keyboard.type(applicant.email)
        tab_to(page, page.get_by_label("Mot de passe", exact=False).first)
        page.keyboard.type(PASSWORD)
        submit_with_enter(page)
        # Without JavaScript, the header's links stay reachable on a phone.
        expect(page.get_by_role("banner").get_by_role("link", name="Mes dossiers")).to_be_visible()
        assert no_horizontal_scroll(page)
        page.goto(f"{live_server.url}/demarches/{procedure.slug}/")
        tab_to(page, page.get_by_role("button", name="Commencer la démarche"))
        submit_with_enter(page)
        assert no_horizontal_scroll(page)

        tab_to(page, page.get_by_label("Objet de la demande"))
        page.keyboard.type("Financement du permis B")
        tab_to(page, page.get_by_label("Oui", exact=True))
        page.keyboard.press("Space")
        submit_with_enter(page)  # "Suivant": the new question is shown first
        expect(page.get_by_text("Vos réponses font apparaître de nouvelles questions")).to_be_visible()
        tab_to(page, page.get_by_label("Pourquoi est-ce urgent ?"))
        page.keyboard.type("Entretien d’embauche le mois prochain")
        tab_to(page, page.get_by_role("button", name="Suivant", exact=True).last)
        submit_with_enter(page)

        pdf = tmp_path / "devis.pdf"
        pdf.write_bytes(PDF)
        page.get_by_label("Justificatif").set_input_files(str(pdf))  # the system's file dialog
        tab_to(page, page.get_by_role("button", name="Enregistrer le brouillon"))
        submit_with_enter(page)
        expect(page.get_by_text("Votre brouillon est enregistré")).to_be_visible()
        expect(page.get_by_text("devis.pdf")).to_be_visible()
        assert no_horizontal_scroll(page)
        tab_to(page, page.get_by_role("button", name="Suivant", exact=True).last)
        submit_with_enter(page)

        expect(page.get_by_role("heading", name="Récapitulatif")).to_be_visible()
        assert no_horizontal_scroll(page)
        tab_to(page, page.get_by_role("button", name="Déposer le dossier"))
        submit_with_enter(page)
        expect(page.get_by_role("heading", name=re.compile(r"Votre dossier n°\S+ est déposé"))).to_be_visible()
        dossier = Dossier.objects.get(applicant=applicant)
        expect(page.get_by_role("heading", name=f"Votre dossier n°{dossier.number} est déposé")).to_be_visible()
        assert dossier.state == DossierState.SUBMITTED and dossier.answers["motif_urgence"]
        assert no_horizontal_scroll(page)
    finally:
        context.close()


def test_an_applicant_signed_in_with_franceconnect_finds_the_identity_prefilled_and_locked(
    live_server,
    demo,
    page,
    franceconnect,  # noqa: F811
):
    franceconnect.configure(site=live_server.url)
    audited: list[str] = []

    page.goto(live_server.url)
    page.get_by_role("link", name=PROCEDURE).click()
    page.get_by_role("link", name="Se connecter pour commencer").click()
    assert_accessible(page, audited)
    page.get_by_role("button", name="S’identifier avec FranceConnect").click()
    # Back from the provider, on the procedure's page, signed in.
    expect(page.get_by_role("heading", level=1)).to_have_text(PROCEDURE)
    page.get_by_role("button", name="Commencer la démarche").click()

    identity = page.get_by_test_id("identite-dossier")
    expect(identity.get_by_text("Identité certifiée par FranceConnect")).to_be_visible()
    expect(identity.get_by_test_id("family_name")).to_have_text("DUBOIS")
    expect(identity.get_by_test_id("given_name")).to_have_text("Angela Claire Louise")
    expect(identity.get_by_test_id("birthdate")).to_have_text("24/08/1962")
    expect(identity.get_by_role("textbox")).to_have_count(0)  # nothing there can be typed over
    expect(identity.get_by_text("elles ne peuvent pas être modifiées ici")).to_be_visible()
    assert_accessible(page, audited)

    page.get_by_test_id("connected-user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_role("textbox")).to_have_count(0)
    assert_accessible(page, audited)
    assert len(audited) == 3
