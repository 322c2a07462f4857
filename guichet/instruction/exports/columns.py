"""The columns an instructor can choose for an export: the dossier's own facts first, then one per
answer field of the procedure's latest published form."""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormField
from guichet.procedures.formatting import (
    answer_lines_function,
    date_french,
    datetime_french,
    iban_french,
    phone_french,
    quantity_french,
    siret_french,
)
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import procedure_latest_version_id, version_form

logger = logging.getLogger(__name__)

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


class Number(NamedTuple):
    """A number in a typed cell (XLSX, ODS), with what its text shows: the decimals written (none for a
    whole number, as the summary writes it) and the unit, which go into the cell's format."""

    value: Decimal
    places: int = 0
    unit: str = ""


# A typed cell: a spreadsheet sorts and adds these; every other answer is a text.
Cell = str | Number | date | datetime

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
# Types written as the applicant typed them, their lines kept.
_PLAIN_TEXT = {FieldType.TEXT, FieldType.TEXTAREA, FieldType.EMAIL, FieldType.LINKED_DOSSIER}
_ONE_TEXT: dict[FieldType, Callable[[Any], str]] = {
    FieldType.PHONE: phone_french,
    FieldType.SIRET: siret_french,
    FieldType.IBAN: iban_french,
    FieldType.DATE: date_french,
    FieldType.DATETIME: datetime_french,
}
MEMO_MAX = 10_000


def _plain_text(value: Any) -> str:
    # The summary's lines of a text, joined: its line breaks made "\n", a last one dropped.
    return "\n".join(str(value).splitlines())


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
    if kind in _PLAIN_TEXT:
        return _plain_text
    if kind in _ONE_TEXT:  # one line: its function, without the summary's list of lines
        return _ONE_TEXT[kind]
    if kind in {FieldType.INTEGER, FieldType.DECIMAL}:
        unit = spec.unit
        return lambda value: quantity_french(value, unit)
    lines = answer_lines_function(kind)
    if kind in _ONE_LINE:  # an address without its street: no leading comma
        return lambda value: ", ".join(filter(None, lines(spec, value)))
    return lambda value: "\n".join(lines(spec, value))  # a text keeps its blank lines


def _number(value: Any, unit: str | None, *, places: int | None = None) -> Number | None:
    """A number as the summary writes it (number_french): its value, the decimals it shows, its unit."""
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number == number.to_integral():
        return Number(number.to_integral(), 0, unit or "")
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return Number(number, -number.as_tuple().exponent, unit or "")


def _typed_writer(spec: FormField) -> Callable[[Any], Cell] | None:
    """For the types a spreadsheet computes with, the answer as a date, a date and time or a Number;
    an answer that is not one is written as its text."""
    kind, text = spec.type, _writer(spec)
    if kind == FieldType.DATE:

        def day(value: Any) -> Cell:
            try:
                return date.fromisoformat(str(value))
            except ValueError:
                return text(value)

        return day
    if kind == FieldType.DATETIME:

        def moment(value: Any) -> Cell:
            # A spreadsheet has no time zones: the time the summary shows.
            try:
                return datetime.fromisoformat(str(value)).replace(tzinfo=None)
            except ValueError:
                return text(value)

        return moment
    if kind in {FieldType.INTEGER, FieldType.DECIMAL, FieldType.COMPUTED}:
        places = 2 if kind == FieldType.COMPUTED else None

        def number(value: Any) -> Cell:
            return _number(value, spec.unit, places=places) or text(value)

        return number
    return None


def _cell_writer(spec: FormField, *, typed: bool) -> Callable[[Any], Cell]:
    return (_typed_writer(spec) if typed else None) or _writer(spec)


def _formatter(write: Callable[[Any], Cell]) -> Callable[[Any], Cell]:
    def formatted(value: Any) -> Cell:
        if value is None or value == "" or value == [] or value == {}:
            return ""
        return write(value)

    return formatted


def answer_formatter(spec: FormField, *, typed: bool = False) -> Callable[[Any], Cell]:
    """answer_text for one field, as a function of the value: what an export calls once per dossier.
    With `typed`, dates, dates and times and numbers come as such (Cell), for the spreadsheets."""
    formatted = _formatter(_cell_writer(spec, typed=typed))
    if spec.type not in _REPEATING:
        return formatted
    memo: dict[Any, Cell] = {}

    def remembered(value: Any) -> Cell:
        key = (type(value), tuple(value)) if isinstance(value, list) else (type(value), value)
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list of lists): not remembered
            return formatted(value)
        result = formatted(value)
        if len(memo) < MEMO_MAX:
            memo[key] = result
        return result

    return remembered


def answer_cell(spec: FormField, *, typed: bool = False) -> Callable[[dict], Cell]:
    """The cell of `spec`'s column for one dossier's answers (a dict): answer_formatter's, in as few
    calls as can be (an export makes one per answer and dossier). An answer that does not fit its field
    (hand-edited data) is written as it is stored, rather than stopping an export that may be
    thousands of rows long."""
    field_id, write = spec.id, _cell_writer(spec, typed=typed)
    formatted = _formatter(write)  # `write` with the empty answers written empty

    def as_stored(value: Any) -> str:
        logger.warning("Export: an answer to %s not formatted", field_id)
        return str(value)

    if spec.type in _PLAIN_TEXT:

        def text_cell(answers: dict) -> Cell:
            value = answers.get(field_id)
            if type(value) is str:
                return "\n".join(value.splitlines())
            return "" if value is None else formatted(value)

        return text_cell
    if spec.type not in _REPEATING:

        def cell(answers: dict) -> Cell:
            value = answers.get(field_id)
            if value is None or value == "" or value == [] or value == {}:
                return ""
            try:
                return write(value)
            except (TypeError, ValueError, AttributeError, KeyError):
                return as_stored(value)

        return cell
    # Their cells are remembered, by the answer itself when it is a string (a choice, a date, an
    # amount), else with its type (True is not 1) and a list as a tuple.
    memo: dict[Any, Cell] = {(type(None), None): ""}
    missing = object()

    def repeating_cell(answers: dict) -> Cell:
        value = answers.get(field_id)
        kind = type(value)
        key = value if kind is str else (kind, tuple(value) if kind is list else value)
        try:
            # get, not [] with KeyError: raising costs more than the lookup, and answers that never
            # come back (a SIRET per applicant) miss every time.
            remembered = memo.get(key, missing)
        except TypeError:  # a value that cannot be a key (a list of lists): not remembered
            key, remembered = None, missing
        if remembered is not missing:
            return remembered
        try:
            result = formatted(value)
        except (TypeError, ValueError, AttributeError, KeyError):
            return as_stored(value)
        if key is not None and len(memo) < MEMO_MAX:
            memo[key] = result
        return result

    return repeating_cell
