import copy
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from guichet.archives.models import DossierRetention
from guichet.archives.retention import retention_review
from guichet.core.models import AuditEvent
from guichet.demo.procedures import PROCEDURES
from guichet.procedures.definition import DefinitionInvalid
from guichet.procedures.exchange import procedure_document_schema, procedure_export, procedure_import
from guichet.procedures.models import Procedure
from tests.factories import DossierFactory, ProcedureFactory

pytestmark = pytest.mark.django_db
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "procedure.schema.json"


def export(slug: str) -> dict:
    out = io.StringIO()
    call_command("procedure_export", slug, stdout=out)
    return json.loads(out.getvalue())


def test_the_published_schema_is_the_one_the_code_checks():
    assert json.loads(SCHEMA_FILE.read_text()) == procedure_document_schema()


@pytest.mark.parametrize("demo_procedure", PROCEDURES, ids=[p.slug for p in PROCEDURES])
def test_every_demo_procedure_round_trips_and_matches_the_schema(demo, demo_procedure, tmp_path):
    document = export(demo_procedure.slug)
    jsonschema.validate(document, procedure_document_schema())
    assert document["definition"] == demo_procedure.definition

    path = tmp_path / "demarche.json"
    path.write_text(json.dumps(document, ensure_ascii=False))
    call_command("procedure_import", str(path), stdout=io.StringIO())
    assert export(demo_procedure.slug) == document

    # Imported under a new address, it becomes a new draft procedure with the same form and groups.
    copy_document = {**copy.deepcopy(document), "slug": f"{demo_procedure.slug}-copie"}
    created = procedure_import(actor=None, data=copy_document)
    assert created.status == Procedure.Status.DRAFT
    assert procedure_export(created) == copy_document


def test_import_never_touches_published_versions(demo):
    procedure = Procedure.objects.get(slug=PROCEDURES[1].slug)
    published = procedure.latest_version.definition
    document = procedure_export(procedure)
    document["definition"]["pages"][0]["title"] = "Titre modifié"
    procedure_import(actor=None, data=document)
    procedure.refresh_from_db()
    assert procedure.draft_definition["pages"][0]["title"] == "Titre modifié"
    assert procedure.latest_version.definition == published


def test_a_bad_document_is_refused_with_its_place_and_nothing_is_saved(demo, tmp_path):
    document = export(PROCEDURES[0].slug)
    document["title"] = "Nouveau titre"
    document["definition"]["pages"][1]["fields"][0]["condition"] = {"all": [{"field": "inconnu", "op": "empty"}]}
    events = AuditEvent.objects.count()
    with pytest.raises(DefinitionInvalid) as error:
        procedure_import(actor=None, data=document)
    assert error.value.errors[0][0] == "pages[1].fields[0].condition"

    path = tmp_path / "demarche.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=r"pages\[1\]\.fields\[0\]\.condition"):
        call_command("procedure_import", str(path))
    assert Procedure.objects.get(slug=PROCEDURES[0].slug).title == PROCEDURES[0].title
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"format": "autre/9"}, "format"),
        ({"organisation_siret": "12345678901234"}, "organisation_siret"),
        ({"slug": "Pas Une Adresse"}, "slug"),
        ({"instructor_groups": [{"name": "A", "default": True}, {"name": "B", "default": True}]}, "instructor_groups"),
    ],
)
def test_bad_settings_are_refused(demo, change, path):
    document = {**export(PROCEDURES[2].slug), **change}
    with pytest.raises(DefinitionInvalid) as error:
        procedure_import(actor=None, data=document)
    assert error.value.errors[0][0] == path


def test_unreadable_files_get_a_clear_message(tmp_path):
    path = tmp_path / "casse.json"
    path.write_text("{pas du json")
    with pytest.raises(CommandError, match="n’est pas du JSON valide"):
        call_command("procedure_import", str(path))
    with pytest.raises(CommandError, match="Aucune démarche"):
        call_command("procedure_export", "inexistante")


def test_settings_and_routing_round_trip():
    from guichet.procedures.models import InstructorGroup

    procedure = ProcedureFactory(
        draft_definition={
            "pages": [
                {
                    "id": "p",
                    "title": "Page",
                    "fields": [
                        {
                            "id": "dep",
                            "type": "choice",
                            "label": "Département",
                            "options": [{"value": "45", "label": "Loiret"}, {"value": "18", "label": "Cher"}],
                        }
                    ],
                }
            ]
        },
        processing_days=60,
        silence_rule="refusal",
        correction_clock="restart",
        data_needed="Un justificatif de domicile.",
    )
    cher = InstructorGroup.objects.create(procedure=procedure, name="Cher")
    procedure.routing_field, procedure.routing_map = "dep", {"18": cher.pk}
    procedure.save()
    document = procedure_export(procedure)
    assert document["routing"] == {"field": "dep", "routes": [{"value": "18", "group": "Cher"}]}
    jsonschema.validate(document, procedure_document_schema())
    created = procedure_import(actor=None, data={**document, "slug": "copie-routee"})
    assert created.routing_map == {"18": created.instructor_groups.get(name="Cher").pk}
    assert (created.silence_rule, created.correction_clock, created.data_needed) == (
        "refusal",
        "restart",
        "Un justificatif de domicile.",
    )
    assert procedure_export(created) == {**document, "slug": "copie-routee"}

    with pytest.raises(DefinitionInvalid) as error:
        procedure_import(
            actor=None, data={**document, "routing": {"field": "dep", "routes": [{"value": "45", "group": "Loir"}]}}
        )
    assert error.value.errors[0][0] == "routing.routes[0].group"


def test_retention_rules_round_trip_and_old_documents_keep_the_procedures_rules():
    procedure = ProcedureFactory(
        retention_years=8,
        retention_start="submission",
        final_fate="trier",
        archival_agreement="IC-000007",
        originating_agency="FRAN_NP_009913",
        submission_agency="SV-01",
        archival_profile="PR-000002",
        access_rule="AR040",
    )
    document = procedure_export(procedure)
    assert document["retention"] == {
        "retention_years": 8,
        "retention_start": "submission",
        "final_fate": "trier",
        "archival_agreement": "IC-000007",
        "originating_agency": "FRAN_NP_009913",
        "submission_agency": "SV-01",
        "archival_profile": "PR-000002",
        "access_rule": "AR040",
    }
    jsonschema.validate(document, procedure_document_schema())
    created = procedure_import(actor=None, data={**document, "slug": "copie-conservee"})
    assert procedure_export(created) == {**document, "slug": "copie-conservee"}

    # A document written before archiving existed: valid, and the procedure's rules stay.
    old = {key: value for key, value in document.items() if key != "retention"}
    jsonschema.validate(old, procedure_document_schema())
    procedure_import(actor=None, data={**old, "title": "Titre changé"})
    procedure.refresh_from_db()
    assert (procedure.title, procedure.retention_years, procedure.access_rule) == ("Titre changé", 8, "AR040")
    # A new procedure from an old document gets the default rules.
    fresh = procedure_import(actor=None, data={**old, "slug": "nouvelle-sans-regles"})
    assert (fresh.retention_years, fresh.final_fate, fresh.access_rule) == (5, "conserver", "AR038")


@pytest.mark.parametrize(
    ("retention", "path"),
    [
        ({"retention_years": 0}, "retention.retention_years"),
        ({"final_fate": "garder"}, "retention.final_fate"),
        ({"archival_agreement": "IC 1"}, "retention.archival_agreement"),
        ({"access_rule": ""}, "retention.access_rule"),
        ({"unknown": "x"}, "retention.unknown"),
    ],
)
def test_bad_retention_rules_are_refused_with_their_place(retention, path):
    document = procedure_export(ProcedureFactory())
    document["retention"] = {**document["retention"], **retention}
    with pytest.raises(DefinitionInvalid) as error:
        procedure_import(actor=None, data=document)
    assert error.value.errors[0][0] == path


def test_an_imported_change_of_dua_applies_to_the_dossiers_whose_dua_runs():
    procedure = ProcedureFactory(retention_years=5)
    dossier = DossierFactory(procedure=procedure, accepted=True)
    retention_review()
    document = procedure_export(procedure)
    document["retention"]["retention_years"] = 20
    procedure_import(actor=None, data=document)
    retention = DossierRetention.objects.get(dossier=dossier)
    assert retention.ends_on.year - retention.starts_on.year == 20
