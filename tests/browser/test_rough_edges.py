"""Issue 16 in Chromium: a date is typed as jj/mm/aaaa whatever the browser's language (no native
mm/dd/yyyy control), and a file field that has its file shows it, with « Remplacer le fichier »
instead of the browser's "No file chosen"."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guichet.dossiers.models import Dossier
from tests.factories import ProcedureFactory, UserFactory
from tests.samples import minimal_pdf

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Un-mot-de-passe-solide-2026"
PDF = minimal_pdf()
DEFINITION = {
    "pages": [
        {
            "id": "projet",
            "title": "Votre projet",
            "fields": [
                {"id": "naissance", "type": "date", "label": "Date de naissance"},
                {"id": "annee", "type": "integer", "label": "Année de construction", "min": 2000, "max": 2100},
                {"id": "statuts", "type": "file", "label": "Statuts de l’association", "max_files": 1},
            ],
        },
        {"id": "fin", "title": "Fin", "fields": [{"id": "objet", "type": "text", "label": "Objet"}]},
    ]
}


def test_a_date_a_year_and_a_file_as_an_applicant_sees_them(live_server, page, tmp_path):
    procedure = ProcedureFactory(draft_definition=DEFINITION, title="Subvention travaux")
    user = UserFactory(email="camille@exemple.fr", first_name="Camille", last_name="Martin", password=PASSWORD)
    page.goto(
        live_server.url
        + reverse("accounts:login")
        + "?next="
        + reverse("public:procedure_detail", args=[procedure.slug])
    )
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Commencer la démarche").click()

    birth = page.get_by_label(re.compile("^Date de naissance"))
    expect(birth).to_have_attribute("type", "text")
    expect(page.get_by_text("Format attendu : jj/mm/aaaa, par exemple 14/07/1990.")).to_be_visible()
    expect(page.get_by_text("Valeur comprise entre 2000 et 2100.")).to_be_visible()
    birth.fill("14/07/1990")
    page.get_by_label(re.compile("^Année de construction")).fill("2024")
    statuts = tmp_path / "statuts.pdf"
    statuts.write_bytes(PDF)
    page.get_by_label(re.compile("^Année de construction")).press("Tab")
    page.wait_for_load_state("networkidle")
    page.get_by_label(re.compile("^Statuts de l’association")).set_input_files(str(statuts))
    # Uploaded at once and listed; the browser's own control (and its "No file chosen") stays folded
    # until the person asks to replace the file.
    expect(page.get_by_test_id("fichiers-joints")).to_contain_text("statuts.pdf")
    file_input = page.locator('input[type="file"]')
    expect(file_input).to_be_hidden()
    page.get_by_text("Remplacer le fichier").click()
    expect(file_input).to_be_visible()
    assert_accessible(page)
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Suivant", exact=True).last.click()
    expect(page.get_by_role("heading", name=re.compile("Fin"))).to_be_visible()

    dossier = Dossier.objects.latest("pk")
    page.goto(live_server.url + reverse("usager:dossier_page", args=[dossier.pk, 1]))
    expect(page.get_by_label(re.compile("^Date de naissance"))).to_have_value("14/07/1990")
    expect(page.get_by_test_id("fichiers-joints")).to_contain_text("statuts.pdf")
    assert dossier.answers["naissance"] == "1990-07-14" and dossier.answers["annee"] == "2024"
