"""The applicant's whole journey in Chromium, audited by axe-core on every page."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from guichet.dossiers.models import Dossier, DossierState
from guichet.dossiers.services import message_send
from guichet.instruction.models import InstructorMembership
from tests.factories import UserFactory

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCEDURE = "Demande de copie intégrale d’acte de naissance"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PASSWORD = "Un mot de passe solide 2026"


def sign_in(page, base_url: str, email: str, audited: list[str]) -> None:
    page.goto(base_url)
    page.get_by_role("link", name="Se connecter").first.click()
    assert_accessible(page, audited)
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_an_applicant_fills_leaves_comes_back_submits_and_answers_a_message(live_server, page, tmp_path):
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())
    applicant = UserFactory(email="camille.martin@exemple.fr", password=PASSWORD)
    audited: list[str] = []

    sign_in(page, live_server.url, applicant.email, audited)
    page.get_by_role("link", name=PROCEDURE).click()
    assert_accessible(page, audited)
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
    page.get_by_label("Date de naissance").fill("1950-03-14")
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
    assert dossier.messages.filter(author=applicant, attachment__isnull=False).exists()
    assert len(audited) >= 9
