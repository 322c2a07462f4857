"""The rows of an export: one list of French texts per dossier, read in chunks from the database."""

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db.models import F, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from guichet.dossiers.models import Dossier, DossierSnapshot, DossierState
from guichet.procedures.selectors import version_form

from .columns import ExportColumn, answer_formatter

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000

# The names of the values each fixed column reads (values_list lookups on Dossier).
_IDENTITY = ("identity", "applicant__last_name", "applicant__first_name", "applicant__email")
_NEEDS: dict[str, tuple[str, ...]] = {
    "number": ("number",),
    "state": ("state",),
    "submitted_at": ("submitted_at",),
    "decided_at": ("decided_at",),
    "group": ("group__name",),
    "applicant_last_name": _IDENTITY,
    "applicant_first_name": _IDENTITY,
    "applicant_email": _IDENTITY,
}
_IDENTITY_KEYS = {
    "applicant_last_name": ("family_name", "applicant__last_name"),
    "applicant_first_name": ("given_name", "applicant__first_name"),
    "applicant_email": ("email", "applicant__email"),
}


def filed_answers() -> Coalesce:
    """The answers as last filed (the latest snapshot), else the working answers: what instructors read."""
    latest = DossierSnapshot.objects.filter(dossier=OuterRef("pk")).order_by("-created_at", "-pk").values("answers")
    return Coalesce(Subquery(latest[:1]), F("answers"), output_field=JSONField())


def export_rows(
    *, queryset: QuerySet[Dossier], columns: Sequence[ExportColumn], chunk_size: int = CHUNK_SIZE
) -> Iterator[list[str]]:
    """One row of texts per dossier of `queryset` (the instructor's filtered list, in its order), with
    the `columns` chosen (export_columns_chosen). Reads only the values those columns need, `chunk_size`
    dossiers at a time: memory stays the same whatever the number of dossiers, and the number of queries
    too (one, plus one per form version not yet in memory)."""
    names: list[str] = []
    for column in columns:
        needs = ("version_id", "export_answers") if column.field is not None else _NEEDS[column.id]
        names += [name for name in needs if name not in names]
    if not names:
        return
    index = {name: position for position, name in enumerate(names)}
    if "export_answers" in index:
        queryset = queryset.annotate(export_answers=filed_answers())
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    getters = [_getter(column, position, index) for position, column in enumerate(columns)]
    # Each answer is formatted by its field in the dossier's own version (a choice's labels may have
    # changed since), else by the column's field: one formatter per column and version, made once.
    formats: dict[int | None, tuple] = {}

    def formats_of(version_id: int | None) -> tuple:
        fields = {field.id: field for field in version_form(version_id).iter_fields()} if version_id else {}
        made = tuple(
            answer_formatter(fields.get(column.field.id, column.field)) if column.field is not None else None
            for column in columns
        )
        formats[version_id] = made
        return made

    answers_at, version_at = index.get("export_answers"), index.get("version_id")
    for record in queryset.values_list(*names).iterator(chunk_size=chunk_size):
        if answers_at is None:
            answers, version_formats = None, ()
        else:
            answers = record[answers_at]
            if not isinstance(answers, dict):
                answers = {}
            version_formats = formats.get(record[version_at]) or formats_of(record[version_at])
        yield [getter(record, answers, version_formats) for getter in getters]


Getter = Callable[[tuple, Any, tuple], str]


def _getter(column: ExportColumn, position: int, index: dict[str, int]) -> Getter:
    if column.field is not None:
        return _answer_getter(column, position)
    if column.id == "number":
        i = index["number"]
        return lambda record, answers, formats: record[i] or ""
    if column.id == "state":
        i = index["state"]
        labels = {state.value: str(state.label) for state in DossierState}
        return lambda record, answers, formats: labels.get(record[i], record[i])
    if column.id in {"submitted_at", "decided_at"}:
        i, zone = index[column.id], timezone.get_current_timezone()

        def moment(record: tuple, answers: Any, formats: tuple) -> str:
            # Local time, as French spreadsheets recognise a date and time (spelt out: strftime costs
            # three times as much).
            if record[i] is None:
                return ""
            at = record[i].astimezone(zone)
            return f"{at.day:02}/{at.month:02}/{at.year} {at.hour:02}:{at.minute:02}"

        return moment
    if column.id == "group":
        i = index["group__name"]
        return lambda record, answers, formats: record[i] or ""
    key, fallback = _IDENTITY_KEYS[column.id]
    i, j = index["identity"], index[fallback]

    def identity_value(record: tuple, answers: Any, formats: tuple) -> str:
        # Who filed it, as frozen at submission; the account's names for a dossier without it.
        identity = record[i]
        return str(identity.get(key) or "") if identity else (record[j] or "")

    return identity_value


def _answer_getter(column: ExportColumn, position: int) -> Getter:
    field_id = column.field_id

    def answer(record: tuple, answers: dict, formats: tuple) -> str:
        value = answers.get(field_id)
        if value is None:
            return ""
        try:
            return formats[position](value)
        except (TypeError, ValueError, AttributeError, KeyError):
            # An answer that does not fit its field (hand-edited data) is written as it is stored,
            # rather than stopping an export that may be thousands of rows long.
            logger.warning("Export: an answer to %s not formatted", field_id)
            return str(value)

    return answer


def export_header(columns: Sequence[ExportColumn]) -> list[str]:
    return [column.label for column in columns]
