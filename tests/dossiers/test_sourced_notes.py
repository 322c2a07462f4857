"""Where a sourced answer comes from is said wherever the instructors and the archives read the
dossier, not only on its page: the API's dossier, the dossier's PDF, the archive package's answers."""

import pytest
from django.utils import timezone

from guichet.archives.dossier_document import dossier_answers_html
from guichet.documents.dossier_pdf import dossier_html
from guichet.dossiers.models import SourcedValue, SourceOutcome
from guichet.dossiers.selectors import dossier_latest_snapshot
from tests.api.keys import bearer, service_account, service_key
from tests.factories import DossierFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

DEFINITION = {
    "pages": [
        {
            "id": "entreprise",
            "title": "Votre entreprise",
            "fields": [
                {"id": "siret", "type": "siret", "label": "SIRET"},
                {
                    "id": "raison_sociale",
                    "type": "text",
                    "label": "Raison sociale",
                    "source": {"provider": "api_entreprise", "datum": "legal_name", "siret_field": "siret"},
                },
                {
                    "id": "forme",
                    "type": "text",
                    "label": "Forme juridique",
                    "source": {"provider": "api_entreprise", "datum": "legal_form", "siret_field": "siret"},
                },
            ],
        }
    ]
}


@pytest.fixture
def dossier():
    procedure = ProcedureFactory(draft_definition=DEFINITION)
    answers = {"siret": "13002526500013", "raison_sociale": "DIRECTION INTERMINISTERIELLE DU NUMERIQUE", "forme": "SAS"}
    dossier = DossierFactory(procedure=procedure, submitted=True, answers=answers)
    common = {"dossier": dossier, "provider": "api_entreprise", "siret_field": "siret", "fetched_at": timezone.now()}
    SourcedValue.objects.create(
        field_id="raison_sociale", datum="legal_name", outcome=SourceOutcome.CERTIFIED, subject="13002526500013",
        value="DIRECTION INTERMINISTERIELLE DU NUMERIQUE", **common,
    )  # fmt: skip
    SourcedValue.objects.create(field_id="forme", datum="legal_form", outcome=SourceOutcome.TIMEOUT, **common)
    return dossier


def test_the_api_says_where_each_answer_comes_from(client, dossier):
    headers = bearer(service_key(service_account(dossier.procedure.organisation, ["dossiers:read"])))
    answers = {
        item["field_id"]: item
        for item in client.get(f"/api/v1/dossiers/{dossier.pk}", headers=headers).json()["answers"]
    }
    assert answers["raison_sociale"]["source_note"].startswith("Donnée issue d’API Entreprise, le ")
    assert answers["forme"]["source_note"].startswith("Donnée saisie par l’usager : API Entreprise trop lent")
    assert answers["siret"]["source_note"] is None


def test_the_dossier_pdf_and_the_archived_answers_say_it_too(dossier):
    for html in (dossier_html(dossier), dossier_answers_html(dossier, dossier_latest_snapshot(dossier))):
        assert "Donnée issue d’API Entreprise, le " in html
        assert "Donnée saisie par l’usager : API Entreprise trop lent à répondre le " in html
