"""The steering team's import of projects from a CSV in the panorama's published columns (the open
data's own file can be read back). Each line creates a project, or updates the one it names: by
`id_projet` when given, else by its name within the organisation. All lines or none: one error
and nothing is written, with every error said by line."""

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from guichet.accounts.models import Organisation, User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.procedures.models import Procedure

from ..models import DigitalProject
from .columns import FIELD_COLUMNS, ID_COLUMN, PROCEDURES_COLUMN, CellError
from .services import check_steering, digital_project_create, digital_project_update

REQUIRED = ("ministere_porteur", "ministere_nom", "projet", "phase", "critere_inclusion")
MAX_LINES = 2000


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    text = text.lstrip("\ufeff")
    # The separator is read from the header row only: column names hold neither comma nor
    # semicolon, whereas a description may hold many of either.
    header_row = text.split("\n", 1)[0]
    delimiter = ";" if header_row.count(";") > header_row.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    return header, list(reader)


def _procedures(cell: str) -> list[Procedure]:
    slugs = [slug.strip() for slug in cell.split("|") if slug.strip()]
    found = {procedure.slug: procedure for procedure in Procedure.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise CellError(f"démarche inconnue dans Guichet : {', '.join(missing)}.")
    return [found[slug] for slug in slugs]


def _values(row: dict[str, str], header: list[str]) -> dict[str, Any]:
    """The line's values by field; every cell that cannot be read is said, in one error."""
    values: dict[str, Any] = {}
    errors = []
    for column in FIELD_COLUMNS:
        if column.name in header:
            try:
                values[column.field] = column.parse(row.get(column.name) or "")
            except CellError as error:
                errors.append(f"colonne {column.name} : {error}")
    if errors:
        raise CellError(" ; ".join(errors))
    return values


def _existing(row: dict[str, str], organisation: Organisation, name: str) -> DigitalProject | None:
    number = (row.get(ID_COLUMN) or "").strip()
    if number:
        project = DigitalProject.objects.filter(pk=number if number.isdigit() else None, organisation=organisation)
        if not project.exists():
            raise CellError(f"colonne {ID_COLUMN} : aucun projet n° {number} dans cette organisation.")
        return project.get()
    return DigitalProject.objects.filter(organisation=organisation, name__iexact=name).first()


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ; ".join(f"{name} : {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)


@transaction.atomic
def panorama_csv_import(*, actor: User | None, organisation: Organisation, text: str) -> ImportReport:
    """Create or update the organisation's projects from a CSV (comma or semicolon separated,
    UTF-8, a header row of the published column names). Raises ValidationError listing every
    line in error; then nothing is written."""
    check_steering(actor, organisation.pk)
    header, rows = _rows(text)
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationError(f"Colonnes manquantes : {', '.join(missing)}.")
    if len(rows) > MAX_LINES:
        raise ValidationError(f"Le fichier compte plus de {MAX_LINES} lignes : découpez-le.")
    report, errors = ImportReport(), []
    for number, row in enumerate(rows, start=2):
        try:
            with transaction.atomic():
                _import_row(row, header, actor=actor, organisation=organisation, report=report)
        except (CellError, ValidationError) as error:
            text_error = _error_text(error) if isinstance(error, ValidationError) else str(error)
            errors.append(f"Ligne {number} : {text_error}")
    if errors:
        raise ValidationError(errors)
    audit_record(
        actor=actor,
        action=AuditAction.PANORAMA_IMPORT,
        target=organisation,
        details={"created": report.created, "updated": report.updated},
    )
    return report


def _import_row(row, header, *, actor, organisation, report: ImportReport) -> None:
    values = _values(row, header)
    procedures = _procedures(row.get(PROCEDURES_COLUMN) or "") if PROCEDURES_COLUMN in header else None
    project = _existing(row, organisation, values["name"])
    if project is None:
        digital_project_create(actor=actor, organisation=organisation, procedures=procedures, **values)
        report.created.append(values["name"])
    else:
        digital_project_update(actor=actor, project=project, procedures=procedures, **values)
        report.updated.append(values["name"])
