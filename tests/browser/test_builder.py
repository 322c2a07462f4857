"""An administrator builds, previews and publishes a procedure entirely in the browser."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from guichet.accounts.models import OrganisationRole
from guichet.accounts.second_factor import totp_device_install
from guichet.procedures.models import Procedure
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_field(page, *, where: str, kind: str, label: str) -> None:
    group = page.get_by_role("group", name=where)
    group.get_by_label("Type").select_option(label=kind)
    group.get_by_label("Libellé").fill(label)
    group.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_text(f"Le champ « {label} » est ajouté.")).to_be_visible()


def save_rows(page, button: str = "Enregistrer") -> None:
    page.get_by_role("button", name=button, exact=True).click()


def test_build_preview_and_publish_a_multi_page_procedure(live_server, page):
    organisation = OrganisationFactory(name="Mairie de Sainte-Croix")
    admin = UserFactory(email="admin@exemple.fr")
    OrganisationRole.objects.create(
        user=admin, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    app = pyotp.TOTP(totp_device_install(actor=None, user=admin, secret=pyotp.random_base32()).secret)
    page.goto(f"{live_server.url}/compte/connexion/?next=/administration/demarches/")
    page.get_by_label("Adresse électronique").fill(admin.email)
    page.get_by_label("Mot de passe", exact=False).first.fill("mot-de-passe-de-test")
    page.get_by_role("button", name="Se connecter").click()
    # An administrator of procedures: the second factor, here an authenticator app set up beforehand.
    page.get_by_label("Code de vérification").fill(app.now())
    page.get_by_role("button", name="Vérifier").click()

    page.get_by_role("link", name="Créer une démarche").click()
    page.get_by_label("Titre de la démarche").fill("Subvention aux associations")
    page.get_by_role("button", name="Créer la démarche").click()
    expect(page.get_by_role("heading", name="Formulaire", level=1)).to_be_visible()

    # Page 1: a question, and a field shown only when the answer is « oui ».
    first_page = "Ajouter un champ à la page « Votre demande »"
    add_field(page, where=first_page, kind="Oui / non", label="Êtes-vous une association ?")
    add_field(page, where=first_page, kind="Texte court", label="Numéro RNA")
    page.get_by_role("link", name="Condition d’affichage du champ « Numéro RNA »").click()
    page.get_by_label("Champ", exact=True).select_option(label="Êtes-vous une association ?")
    page.get_by_label("Comparaison").select_option(label="est égal à")
    page.get_by_label("Valeur").fill("oui")
    save_rows(page)
    expect(page.get_by_text("Affiché si « Êtes-vous une association ? » est égal à « oui »")).to_be_visible()

    # Page 2: a repeatable block of expenses, a computed total and an attachment.
    page.get_by_label("Titre de la nouvelle page").fill("Budget")
    page.get_by_role("button", name="Ajouter une page").click()
    expect(page.get_by_role("heading", name="Page 2 : Budget")).to_be_visible()
    second_page = "Ajouter un champ à la page « Budget »"
    add_field(page, where=second_page, kind="Nombre décimal", label="Montant demandé")
    add_field(page, where=second_page, kind="Nombre décimal", label="Fonds propres")
    add_field(page, where=second_page, kind="Bloc répétable", label="Dépenses")
    add_field(page, where=second_page, kind="Valeur calculée", label="Budget total")
    add_field(page, where=second_page, kind="Pièce jointe", label="Budget prévisionnel signé")
    page.get_by_role("link", name="Calcul du champ « Budget total »").click()
    page.get_by_label("Calcul").select_option(label="Somme")
    page.get_by_role("group", name="Élément 1").get_by_label("Élément", exact=True).select_option(
        label="Montant demandé"
    )
    page.get_by_role("group", name="Élément 2").get_by_label("Élément", exact=True).select_option(label="Fonds propres")
    page.get_by_role("button", name="Enregistrer le calcul").click()
    expect(page.get_by_text("Calcul : {montant-demande} + {fonds-propres}")).to_be_visible()

    # The preview shows the conditional field only once the answer is « oui » (htmx, no reload).
    with page.context.expect_page() as preview_opened:
        page.get_by_role("link", name="Aperçu (nouvelle fenêtre)").click()
    preview = preview_opened.value
    expect(preview.get_by_text("Aperçu : les réponses ne sont pas enregistrées", exact=False)).to_be_visible()
    expect(preview.get_by_label("Numéro RNA")).to_have_count(0)
    preview.get_by_role("group", name="Êtes-vous une association ?").get_by_text("Oui", exact=True).click()
    expect(preview.get_by_label("Numéro RNA")).to_be_visible()
    preview.get_by_label("Numéro RNA").fill("W452001234")
    preview.get_by_role("button", name="Suivant").click()
    expect(preview.get_by_role("heading", name=re.compile("Budget"))).to_be_visible()
    preview.get_by_label("Montant demandé").fill("1500")
    preview.get_by_label("Fonds propres").fill("500,50")
    preview.get_by_label("Montant demandé").press("Tab")
    expect(preview.get_by_label("Budget total")).to_have_value(re.compile(r"^2.000,50?$"))
    preview.close()

    # Publish from the overview.
    page.get_by_role("link", name="Vue d’ensemble", exact=True).click()
    page.get_by_role("link", name="Publier la démarche").click()
    # The confirmation step says what is worth checking (no processing deadline, no instructor yet).
    expect(page.get_by_test_id("publication-warnings")).to_contain_text("Aucun délai d’instruction n’est fixé")
    page.get_by_role("button", name="Publier quand même").click()
    expect(page.get_by_text("La démarche est publiée")).to_be_visible()
    procedure = Procedure.objects.get(title="Subvention aux associations")
    assert procedure.status == Procedure.Status.PUBLISHED
    version = procedure.latest_version.definition
    assert [p["title"] for p in version["pages"]] == ["Votre demande", "Budget"]
    assert version["pages"][1]["fields"][3]["formula"] == "{montant-demande} + {fonds-propres}"
