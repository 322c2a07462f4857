"""The builder's data sources: an administrator picks which datum fills a field, from a SIRET field
of the form (API Entreprise) or, with a consent text, from FranceConnect (API Particulier); what is
missing is said at its place, and the procedure document carries the choice (never a token)."""

import pytest

from guichet.procedures.exchange import procedure_export
from tests.www.test_builder import admin, admin_user, create, edit, fields_of, organisation, url  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_field_is_filled_from_the_siret_field_of_the_form(admin, organisation):  # noqa: F811
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="siret", label="SIRET")
    edit(admin, procedure, action="field_add", page="demande", field_type="text", label="Raison sociale")
    page = admin.get(url("field_edit", procedure.slug, "raison-sociale")).content.decode()
    assert "Donnée récupérée auprès d’une administration" in page and "Quotient familial" not in page
    response = admin.post(
        url("field_edit", procedure.slug, "raison-sociale"),
        {"revision": procedure.draft_revision, "label": "Raison sociale", "source_datum": "api_entreprise:legal_name"},
    )
    assert (
        response.status_code == 200 and "indiquez le champ SIRET dont viennent les données" in response.content.decode()
    )
    procedure.refresh_from_db()
    admin.post(
        url("field_edit", procedure.slug, "raison-sociale"),
        {
            "revision": procedure.draft_revision,
            "label": "Raison sociale",
            "source_datum": "api_entreprise:legal_name",
            "source_siret_field": "siret",
        },
    )
    field = fields_of(procedure)[1]
    assert field["source"] == {"provider": "api_entreprise", "datum": "legal_name", "siret_field": "siret"}
    document = procedure_export(procedure)
    assert document["definition"]["pages"][0]["fields"][1]["source"]["datum"] == "legal_name"
    assert "token" not in str(document)


def test_api_particulier_needs_a_consent_text(admin, organisation):  # noqa: F811
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="integer", label="Quotient familial")
    data = {"revision": procedure.draft_revision, "label": "QF", "source_datum": "api_particulier:family_quotient"}
    response = admin.post(url("field_edit", procedure.slug, "quotient-familial"), data)
    assert "le texte de consentement est obligatoire" in response.content.decode()
    procedure.refresh_from_db()
    consent = "J’accepte que la mairie obtienne mon quotient familial auprès de la CAF ou de la MSA."
    data |= {"revision": procedure.draft_revision, "source_consent": consent}
    admin.post(url("field_edit", procedure.slug, "quotient-familial"), data)
    assert fields_of(procedure)[0]["source"]["consent"] == consent
    # And removed again.
    procedure.refresh_from_db()
    admin.post(
        url("field_edit", procedure.slug, "quotient-familial"), {"revision": procedure.draft_revision, "label": "QF"}
    )
    assert "source" not in fields_of(procedure)[0]
