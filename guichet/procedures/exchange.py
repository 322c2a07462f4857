"""Procedure-as-code: a procedure's working form and settings as one JSON document, described by
the JSON Schema in docs/procedure.schema.json. Import applies the same checks as the builder and
saves all or nothing."""

from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guichet.accounts.models import Organisation, User
from guichet.core.audit import audit_record
from guichet.instruction.models import InstructorGroup

from .definition import DefinitionInvalid, FormDefinition, definition_validate, located_errors
from .models import Procedure

FORMAT = "guichet.procedure/1"


class GroupDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=150)
    default: bool = False


class ProcedureDocument(BaseModel):
    """One procedure, as exported and imported."""

    model_config = ConfigDict(extra="forbid", title="Démarche Guichet")
    format: Literal["guichet.procedure/1"]
    slug: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=300)
    description: str = ""
    organisation_siret: str = Field(pattern=r"^\d{14}$")
    processing_days: int | None = Field(default=None, ge=1, le=3650)
    instructor_groups: list[GroupDocument] = Field(default_factory=list)
    definition: FormDefinition


def procedure_document_schema() -> dict[str, Any]:
    """The JSON Schema published as docs/procedure.schema.json."""
    schema = ProcedureDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://guichet.example.fr/schemas/procedure-1.json"
    return schema


def procedure_export(procedure: Procedure) -> dict[str, Any]:
    """The document of a procedure: its working form and its settings."""
    return {
        "format": FORMAT,
        "slug": procedure.slug,
        "title": procedure.title,
        "summary": procedure.summary,
        "description": procedure.description,
        "organisation_siret": procedure.organisation.siret,
        "processing_days": procedure.processing_days,
        "instructor_groups": [
            {"name": group.name, "default": group.is_default}
            for group in procedure.instructor_groups.order_by("-is_default", "name")
        ],
        "definition": procedure.draft_definition,
    }


def _document_validate(data: Any) -> ProcedureDocument:
    if not isinstance(data, dict):
        raise DefinitionInvalid([("document", "un objet JSON est attendu")])
    try:
        document = ProcedureDocument.model_validate(data)
    except ValidationError as error:
        raise DefinitionInvalid(located_errors(error)) from error
    definition_validate(data["definition"])  # the semantic checks, with their places
    defaults = [group for group in document.instructor_groups if group.default]
    if len(defaults) > 1:
        raise DefinitionInvalid([("instructor_groups", "un seul groupe instructeur peut être le groupe par défaut")])
    names = [group.name for group in document.instructor_groups]
    if len(set(names)) != len(names):
        raise DefinitionInvalid([("instructor_groups", "deux groupes instructeurs portent le même nom")])
    return document


@transaction.atomic
def procedure_import(*, actor: User | None, data: Any) -> Procedure:
    """Create a procedure in draft from a document, or update the working form and settings of the
    procedure with the same slug (published versions never change). Groups are added, never removed:
    filed dossiers may belong to them. Raises DefinitionInvalid."""
    document = _document_validate(data)
    organisation = Organisation.objects.filter(siret=document.organisation_siret).first()
    if organisation is None:
        raise DefinitionInvalid(
            [("organisation_siret", f"aucune organisation n’a le SIRET {document.organisation_siret}")]
        )
    procedure = Procedure.objects.select_for_update().filter(slug=document.slug).first()
    created = procedure is None
    procedure = procedure or Procedure(slug=document.slug)
    procedure.organisation = organisation
    procedure.title = document.title
    procedure.summary = document.summary
    procedure.description = document.description
    procedure.processing_days = document.processing_days
    procedure.draft_definition = data["definition"]
    try:
        procedure.full_clean()
    except DjangoValidationError as error:
        raise DefinitionInvalid(
            [(field, " ".join(messages)) for field, messages in error.message_dict.items()]
        ) from error
    procedure.save()
    groups = {group.name: group for group in procedure.instructor_groups.all()}
    InstructorGroup.objects.filter(procedure=procedure, is_default=True).update(is_default=False)
    for group in document.instructor_groups:
        existing = groups.get(group.name)
        if existing is None:
            InstructorGroup.objects.create(procedure=procedure, name=group.name, is_default=group.default)
        elif group.default:
            InstructorGroup.objects.filter(pk=existing.pk).update(is_default=True)
    audit_record(
        actor=actor, action="procedure.import", target=procedure, details={"slug": procedure.slug, "created": created}
    )
    return procedure
