"""The public verification of an act in Chromium, audited by axe-core: the page the QR code leads
to, then the original file and a modified copy uploaded there."""

import pytest
from playwright.sync_api import expect

from guichet.dossiers.services import dossier_submit
from tests.documents.test_acts import one_byte_changed
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anyone_checks_an_act_on_the_verification_page(live_server, page, tmp_path):
    organisation = OrganisationFactory(name="Mairie de Villebourg")
    procedure = ProcedureFactory(organisation=organisation, title="Permis de végétaliser")
    dossier = DossierFactory(procedure=procedure, answers={"objet": "Un pied d’arbre"})
    dossier_submit(actor=dossier.applicant, dossier=dossier)  # the receipt is made on commit
    act = dossier.acts.get()
    act.refresh_from_db()
    with act.pdf.open("rb") as stored:
        original = stored.read()
    genuine, modified = tmp_path / "accuse.pdf", tmp_path / "accuse-modifie.pdf"
    genuine.write_bytes(original)
    modified.write_bytes(one_byte_changed(original))

    page.goto(f"{live_server.url}/verifier/{act.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acte émis par Mairie de Villebourg")
    expect(page.get_by_text(act.sha256)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Le document à vérifier (PDF)").set_input_files(str(genuine))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", name="Document authentique")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Le document à vérifier (PDF)").set_input_files(str(modified))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", name="Document modifié")).to_be_visible()
    assert_accessible(page)
    # By its code, typed as a person reads it.
    page.goto(f"{live_server.url}/verifier/")
    page.get_by_label("Code de vérification").fill(act.code_display.lower())
    page.get_by_role("button", name="Vérifier le code").click()
    expect(page).to_have_url(f"{live_server.url}/verifier/{act.code}/")
