"""Procedure-as-code: a procedure's working form and settings as one JSON document, described by
the JSON Schema in docs/procedure.schema.json. Import applies the same checks as the builder and
saves all or nothing."""

import base64
import binascii
from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guichet.accounts.models import Organisation, User
from guichet.connectors.antivirus import upload_scan
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.uploads import UploadRefused, upload_check
from guichet.procedures.models import InstructorGroup

from .definition import DefinitionInvalid, FormDefinition, definition_validate, located_errors
from .hooks import procedure_retention_changed
from .models import RETENTION_IDENTIFIER, RETENTION_IDENTIFIER_PATTERN, Procedure, ProcedureVersion

FORMAT = "guichet.procedure/1"


class GroupDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=150)
    default: bool = False


class RouteDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(min_length=1)
    group: str = Field(min_length=1, max_length=150)


class RoutingDocument(BaseModel):
    """Filed dossiers go to the group given for their answer to `field`; others to the default group."""

    model_config = ConfigDict(extra="forbid")
    field: str
    routes: list[RouteDocument] = Field(default_factory=list)


class EmbeddedFile(BaseModel):
    """A file the form offers (an attachment's template), carried inside the document."""

    model_config = ConfigDict(extra="forbid")
    path: str = Field(pattern=r"^procedures/[A-Za-z0-9_./-]+$", max_length=300)
    content_base64: str


def _identifier(description: str, *, default: str = "", required: bool = False) -> Any:
    return Field(
        default=default,
        min_length=1 if required else 0,
        max_length=20 if required else 100,
        pattern=RETENTION_IDENTIFIER_PATTERN if required else rf"^({RETENTION_IDENTIFIER})?$",
        description=description,
    )


class RetentionDocument(BaseModel):
    """How long the decided dossiers are kept (DUA) and what then becomes of them, and what their
    archive packages (SEDA) declare. Identifiers are single words, without spaces."""

    model_config = ConfigDict(extra="forbid")
    retention_years: int = Field(default=5, ge=1, le=100, description="Durée d’utilité administrative, en années.")
    retention_start: Literal["decision", "submission"] = Field(
        default="decision", description="Point de départ de la durée : la décision (ou le retrait), ou le dépôt."
    )
    final_fate: Literal["conserver", "detruire", "trier"] = Field(
        default="conserver", description="Sort final à la fin de la durée."
    )
    archival_agreement: str = _identifier("Contrat d’entrée (identifiant de l’accord de versement, Vitam).")
    originating_agency: str = _identifier("Identifiant du service producteur.")
    submission_agency: str = _identifier("Identifiant du service versant.")
    archival_profile: str = _identifier("Profil d’archivage (facultatif).")
    access_rule: str = _identifier(
        "Règle de communicabilité des données personnelles (AR038 : vie privée, 50 ans).",
        default="AR038",
        required=True,
    )


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
    silence_rule: Literal["none", "acceptance", "refusal"] = "none"
    correction_clock: Literal["suspend", "restart"] = "suspend"
    opens_on: date | None = None
    closes_on: date | None = None
    data_needed: str = ""
    instructor_groups: list[GroupDocument] = Field(default_factory=list)
    routing: RoutingDocument | None = None
    definition: FormDefinition
    files: list[EmbeddedFile] = Field(default_factory=list)
    # Absent from documents written before archiving: the procedure's rules are then left as they are.
    retention: RetentionDocument | None = None


def procedure_document_schema() -> dict[str, Any]:
    """The JSON Schema published as docs/procedure.schema.json."""
    schema = ProcedureDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://guichet.example.fr/schemas/procedure-1.json"
    return schema


def procedure_export(procedure: Procedure) -> dict[str, Any]:
    """The document of a procedure: its working form and its settings."""
    groups = {group.pk: group for group in procedure.instructor_groups.all()}
    return {
        "format": FORMAT,
        "slug": procedure.slug,
        "title": procedure.title,
        "summary": procedure.summary,
        "description": procedure.description,
        "organisation_siret": procedure.organisation.siret,
        "processing_days": procedure.processing_days,
        "silence_rule": procedure.silence_rule,
        "correction_clock": procedure.correction_clock,
        "opens_on": procedure.opens_on.isoformat() if procedure.opens_on else None,
        "closes_on": procedure.closes_on.isoformat() if procedure.closes_on else None,
        "data_needed": procedure.data_needed,
        "instructor_groups": [
            {"name": group.name, "default": group.is_default}
            for group in sorted(groups.values(), key=lambda group: (not group.is_default, group.name))
        ],
        "routing": {
            "field": procedure.routing_field,
            "routes": [
                {"value": value, "group": groups[pk].name}
                for value, pk in sorted(procedure.routing_map.items())
                if pk in groups
            ],
        }
        if procedure.routing_field
        else None,
        "definition": procedure.draft_definition,
        "files": [
            {"path": path, "content_base64": base64.b64encode(_read(path)).decode()}
            for path in sorted(_template_paths(procedure.draft_definition))
            if default_storage.exists(path)
        ],
        "retention": {name: getattr(procedure, name) for name in RetentionDocument.model_fields},
    }


def procedure_version_export(version: ProcedureVersion) -> dict[str, Any]:
    """The document of one published version: the procedure's settings with that version's form,
    which never changes (and the template files it names)."""
    document = procedure_export(version.procedure)
    document["definition"] = version.definition
    document["files"] = [
        {"path": path, "content_base64": base64.b64encode(_read(path)).decode()}
        for path in sorted(_template_paths(version.definition))
        if default_storage.exists(path)
    ]
    return document


def _template_paths(definition: dict[str, Any]) -> set[str]:
    form = FormDefinition.model_validate(definition)
    return {field.template_file.path for field in form.iter_fields() if field.template_file}


def _read(path: str) -> bytes:
    with default_storage.open(path) as file:
        return file.read()


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
    paths = _template_paths(data["definition"])
    for index, embedded in enumerate(document.files):
        if embedded.path not in paths:
            raise DefinitionInvalid([(f"files[{index}].path", "ce fichier n’est le modèle d’aucun champ")])
        try:
            content = base64.b64decode(embedded.content_base64, validate=True)
        except binascii.Error:
            raise DefinitionInvalid([(f"files[{index}].content_base64", "contenu base64 illisible")]) from None
        try:
            # Offered to every applicant: held to what an applicant's own file is held to.
            template = SimpleUploadedFile(embedded.path.rsplit("/", 1)[-1], content)
            upload_scan(template, upload_check(template)["name"], where="procedure import")
        except UploadRefused as refusal:
            raise DefinitionInvalid([(f"files[{index}].content_base64", refusal.message)]) from None
    if document.routing:
        if document.routing.field not in {f.id for f in document.definition.iter_fields()}:
            raise DefinitionInvalid([("routing.field", f"aucun champ « {document.routing.field} » dans le formulaire")])
        for index, route in enumerate(document.routing.routes):
            if route.group not in names:
                raise DefinitionInvalid([(f"routing.routes[{index}].group", f"aucun groupe « {route.group} »")])
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
    procedure.silence_rule = document.silence_rule
    procedure.correction_clock = document.correction_clock
    procedure.opens_on, procedure.closes_on = document.opens_on, document.closes_on
    procedure.data_needed = document.data_needed
    procedure.draft_definition = data["definition"]
    rules_before = (procedure.retention_years, procedure.retention_start, procedure.final_fate)
    if document.retention is not None:
        for name, value in document.retention.model_dump().items():
            setattr(procedure, name, value)
    try:
        procedure.full_clean()
    except DjangoValidationError as error:
        raise DefinitionInvalid(
            [(field, " ".join(messages)) for field, messages in error.message_dict.items()]
        ) from error
    procedure.save()
    for embedded in document.files:
        if not default_storage.exists(embedded.path):
            # Saved at the very path the form names, so that the definition stays the same.
            default_storage.save(embedded.path, ContentFile(base64.b64decode(embedded.content_base64)))
    groups = {group.name: group for group in procedure.instructor_groups.all()}
    InstructorGroup.objects.filter(procedure=procedure, is_default=True).update(is_default=False)
    for group in document.instructor_groups:
        existing = groups.get(group.name)
        if existing is None:
            InstructorGroup.objects.create(procedure=procedure, name=group.name, is_default=group.default)
        elif group.default:
            InstructorGroup.objects.filter(pk=existing.pk).update(is_default=True)
    group_ids = dict(procedure.instructor_groups.values_list("name", "pk"))
    procedure.routing_field = document.routing.field if document.routing else ""
    procedure.routing_map = (
        {route.value: group_ids[route.group] for route in document.routing.routes} if document.routing else {}
    )
    procedure.save(update_fields=["routing_field", "routing_map"])
    if not created and (procedure.retention_years, procedure.retention_start, procedure.final_fate) != rules_before:
        # The dossiers whose DUA runs follow the new rules (the archives app computes them).
        procedure_retention_changed.send(procedure=procedure)
    audit_record(
        actor=actor,
        action=AuditAction.PROCEDURE_IMPORT,
        target=procedure,
        details={"slug": procedure.slug, "created": created},
    )
    return procedure
