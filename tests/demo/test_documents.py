"""The demo procedures are procedure documents: valid against the published schema, loaded through
the import of `manage.py procedure_import`, and exported back unchanged, byte for byte."""

import io
import json
from pathlib import Path

import jsonschema
from django.core.management import call_command

from guichet.core.models import AuditEvent
from guichet.demo.loader import ORGANISATIONS
from guichet.demo.procedures import DOCUMENTS, PROCEDURES
from guichet.procedures.models import Procedure
from tests.factories import OrganisationFactory

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "procedure.schema.json"


def exported(slug: str) -> str:
    out = io.StringIO()
    call_command("procedure_export", slug, stdout=out)
    return out.getvalue()


def test_every_document_matches_the_published_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    paths = sorted(DOCUMENTS.glob("*.json"))
    assert sorted(path.stem for path in paths) == sorted(procedure.slug for procedure in PROCEDURES)
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema).validate(document)
        assert document["slug"] == path.stem


def test_the_documents_import_and_export_unchanged(db):
    for organisation in ORGANISATIONS:
        OrganisationFactory(slug=organisation.slug, name=organisation.name, siret=organisation.siret)
    for procedure in PROCEDURES:
        path = DOCUMENTS / f"{procedure.slug}.json"
        call_command("procedure_import", str(path), stdout=io.StringIO())
        # Unchanged as a document (PostgreSQL's jsonb keeps an object's keys in an order of its own).
        assert json.loads(exported(procedure.slug)) == json.loads(path.read_text(encoding="utf-8"))
        assert Procedure.objects.get(slug=procedure.slug).status == Procedure.Status.DRAFT


def test_the_demo_imports_its_documents_and_publishes_them(demo):
    for procedure in PROCEDURES:
        loaded = Procedure.objects.get(slug=procedure.slug)
        assert AuditEvent.objects.filter(action="procedure.import", details__slug=procedure.slug).count() == 1
        assert loaded.latest_version.definition == procedure.definition
        assert json.loads(exported(procedure.slug)) == procedure.document
