"""The columns an instructor can choose for an export: the dossier's own facts first, then one per
answer field of the procedure's latest published form."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormField
from guichet.procedures.formatting import answer_lines_function
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import procedure_latest_version_id, version_form

# An answer column's id is this prefix and the field's id (field ids hold no colon).
FIELD_PREFIX = "field:"

# The dossier's own columns, in the order they are offered: id and header.
FIXED_COLUMNS: dict[str, Any] = {
    "number": _("Numéro"),
    "state": _("État"),
    "submitted_at": _("Déposé le"),
    "decided_at": _("Décidé le"),
    "group": _("Groupe instructeur"),
    "applicant_last_name": _("Nom de l’usager"),
    "applicant_first_name": _("Prénom de l’usager"),
    "applicant_email": _("Courriel de l’usager"),
}


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export. `field` is set for an answer column: the field as the latest published
    form defines it (each dossier's value is formatted with its own version's field, when it has it)."""

    id: str
    label: str
    field: FormField | None = None

    @property
    def field_id(self) -> str | None:
        return self.field.id if self.field is not None else None


def _answer_fields(procedure: Procedure) -> list[FormField]:
    version_id = procedure_latest_version_id(procedure)
    if version_id is None:
        return []
    form = version_form(version_id)
    # A block is one column (its rows are written one per line); the fields inside it are not.
    return [field for page in form.pages for field in page.fields if field.type not in DISPLAY_ONLY]


def export_columns_available(*, procedure: Procedure) -> list[ExportColumn]:
    """Every column an export of this procedure's dossiers can have, in the order offered."""
    columns = [ExportColumn(id=column_id, label=str(label)) for column_id, label in FIXED_COLUMNS.items()]
    columns += [ExportColumn(id=f"{FIELD_PREFIX}{f.id}", label=f.label, field=f) for f in _answer_fields(procedure)]
    return columns


def export_columns_chosen(*, procedure: Procedure, ids: Sequence[str]) -> list[ExportColumn]:
    """The columns named by `ids`, in that order. An unknown or repeated id raises ValueError with a
    message for the person who chose (a field removed from the form since the list was shown)."""
    if not ids:
        raise ValueError(gettext("Choisissez au moins une colonne à exporter."))
    available = {column.id: column for column in export_columns_available(procedure=procedure)}
    unknown = [column_id for column_id in ids if column_id not in available]
    if unknown:
        names = ", ".join(f"« {column_id} »" for column_id in unknown)
        raise ValueError(gettext("Colonne inconnue pour cette démarche : %(names)s.") % {"names": names})
    if len(set(ids)) != len(ids):
        raise ValueError(gettext("Une même colonne est choisie deux fois."))
    return [available[column_id] for column_id in ids]


def answer_text(spec: FormField, value: Any) -> str:
    """An answer as one cell: the summary's lines (procedures/formatting.py), joined. Lists (several
    choices, an address) on one line; a text's own lines kept; files by their names; a block's rows one
    per line, each as "Libellé : valeur ; …"."""
    return answer_formatter(spec)(value)


# Types whose answers come back from one dossier to the next (the same choice, date, amount, SIRET):
# their texts are remembered, up to MEMO_MAX per column, which spares most of the formatting work.
_REPEATING = {
    FieldType.CHOICE,
    FieldType.MULTIPLE_CHOICE,
    FieldType.YES_NO,
    FieldType.CHECKBOX,
    FieldType.DATE,
    FieldType.DATETIME,
    FieldType.INTEGER,
    FieldType.DECIMAL,
    FieldType.COMPUTED,
    FieldType.SIRET,
    FieldType.IBAN,
}
_ONE_LINE = {FieldType.MULTIPLE_CHOICE, FieldType.ADDRESS}
MEMO_MAX = 10_000


def _writer(spec: FormField) -> Callable[[Any], str]:
    kind = spec.type
    if kind == FieldType.BLOCK:
        parts = [(f.id, f.label, answer_formatter(f)) for f in spec.fields if f.type not in DISPLAY_ONLY]

        def row_text(row: dict) -> str:
            texts = ((label, write(row.get(field_id))) for field_id, label, write in parts)
            return " ; ".join(f"{label} : {text.replace(chr(10), ' ')}" for label, text in texts if text)

        return lambda rows: "\n".join(row_text(row) for row in rows if isinstance(row, dict))
    if kind == FieldType.CHECKBOX:
        yes, no = gettext("Oui"), gettext("Non")
        return lambda value: yes if value else no
    if kind == FieldType.FILE:
        return lambda value: ", ".join(str(item.get("name", "")) for item in value if isinstance(item, dict))
    lines = answer_lines_function(kind)
    if kind in _ONE_LINE:  # an address without its street: no leading comma
        return lambda value: ", ".join(filter(None, lines(spec, value)))
    return lambda value: "\n".join(lines(spec, value))  # a text keeps its blank lines


def answer_formatter(spec: FormField) -> Callable[[Any], str]:
    """answer_text for one field, as a function of the value: what an export calls once per dossier."""
    write = _writer(spec)

    def text(value: Any) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return ""
        return write(value)

    if spec.type not in _REPEATING:
        return text
    memo: dict[Any, str] = {}

    def remembered(value: Any) -> str:
        key = (type(value), tuple(value)) if isinstance(value, list) else (type(value), value)
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list of lists): not remembered
            return text(value)
        result = text(value)
        if len(memo) < MEMO_MAX:
            memo[key] = result
        return result

    return remembered
