"""The rows of an export: one list of French texts per dossier, read in chunks from the database."""

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from django.db.models import F, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from guichet.dossiers.models import Dossier, DossierSnapshot, DossierState
from guichet.procedures.definition import FormField
from guichet.procedures.selectors import version_form

from .columns import ExportColumn, answer_text

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


def _moment_text(moment: datetime | None) -> str:
    # Local time, in the form French spreadsheets recognise as a date and time.
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}" if moment else ""


class _Specs:
    """The fields of each version met in the export, by id, read once (versions are immutable)."""

    def __init__(self) -> None:
        self._by_version: dict[int, dict[str, FormField]] = {}

    def get(self, version_id: int) -> dict[str, FormField]:
        specs = self._by_version.get(version_id)
        if specs is None:
            specs = {field.id: field for field in version_form(version_id).iter_fields()}
            self._by_version[version_id] = specs
        return specs


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
    specs = _Specs()
    getters = [_getter(column, index, specs) for column in columns]
    for record in queryset.values_list(*names).iterator(chunk_size=chunk_size):
        yield [getter(record) for getter in getters]


def _getter(column: ExportColumn, index: dict[str, int], specs: _Specs) -> Callable[[tuple], str]:
    if column.field is not None:
        return _answer_getter(column, index, specs)
    if column.id == "number":
        i = index["number"]
        return lambda record: record[i] or ""
    if column.id == "state":
        i = index["state"]
        labels = {state.value: str(state.label) for state in DossierState}
        return lambda record: labels.get(record[i], record[i])
    if column.id in {"submitted_at", "decided_at"}:
        i = index[column.id]
        return lambda record: _moment_text(record[i])
    if column.id == "group":
        i = index["group__name"]
        return lambda record: record[i] or ""
    key, fallback = _IDENTITY_KEYS[column.id]
    i, j = index["identity"], index[fallback]

    def identity_value(record: tuple) -> str:
        # Who filed it, as frozen at submission; the account's names for a dossier without it.
        identity = record[i]
        return str(identity.get(key) or "") if identity else (record[j] or "")

    return identity_value


def _answer_getter(column: ExportColumn, index: dict[str, int], specs: _Specs) -> Callable[[tuple], str]:
    field_id, default_spec = column.field_id, column.field
    answers_at, version_at = index["export_answers"], index["version_id"]

    def answer(record: tuple) -> str:
        answers = record[answers_at]
        value = answers.get(field_id) if isinstance(answers, dict) else None
        if value is None:
            return ""
        spec = specs.get(record[version_at]).get(field_id, default_spec)
        try:
            return answer_text(spec, value)
        except (TypeError, ValueError, AttributeError, KeyError):
            # An answer that does not fit its field (hand-edited data) is written as it is stored,
            # rather than stopping an export that may be thousands of rows long.
            logger.warning("Export: answer %s of version %s not formatted", field_id, record[version_at])
            return str(value)

    return answer


def export_header(columns: Sequence[ExportColumn]) -> list[str]:
    return [column.label for column in columns]
