"""The rows of an export: one list of cells per dossier (French texts, or typed cells for the
spreadsheets), read in chunks from the database."""

import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import orjson
from django.db import connections, transaction
from django.db.models import ExpressionWrapper, F, JSONField, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from guichet.dossiers.models import Dossier, DossierSnapshot, DossierState
from guichet.procedures.selectors import version_form

from .columns import Cell, ExportColumn, answer_cell

# Dossiers read at a time: a few megabytes in memory, a round trip to the database per chunk.
CHUNK_SIZE = 5000

# The names of the values each fixed column reads (values_list lookups on Dossier, and the JSON
# annotations that export_rows decodes itself).
_IDENTITY = ("export_identity", "applicant__last_name", "applicant__first_name", "applicant__email")
_NEEDS: dict[str, tuple[str, ...]] = {
    "number": ("number",),
    "state": ("state",),
    "submitted_at": ("export_submitted_at",),
    "decided_at": ("export_decided_at",),
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


def filed_answers(output_field: Any = None) -> Coalesce:
    """The answers as last filed (the latest snapshot), else the working answers: what instructors read.
    With a TextField as `output_field`, the JSON comes as it is stored, for the caller to decode."""
    latest = DossierSnapshot.objects.filter(dossier=OuterRef("pk")).order_by("-created_at", "-pk").values("answers")
    return Coalesce(Subquery(latest[:1]), F("answers"), output_field=output_field or JSONField())


def export_rows(
    *, queryset: QuerySet[Dossier], columns: Sequence[ExportColumn], chunk_size: int = CHUNK_SIZE, typed: bool = False
) -> Iterator[list[Cell]]:
    """One row per dossier of `queryset` (the instructor's filtered list, in its order), with the
    `columns` chosen (export_columns_chosen): French texts as the summary writes them, or with `typed`
    (XLSX, ODS) dates, dates and times and numbers (columns.Number) as such. Reads only the values those
    columns need, `chunk_size` dossiers at a time: memory stays the same whatever the number of
    dossiers, and the number of queries too (one, plus one per form version not yet in memory)."""
    names: list[str] = []
    for column in columns:
        needs = ("version_id", "export_answers") if column.field is not None else _NEEDS[column.id]
        names += [name for name in needs if name not in names]
    if not names:
        return
    index = {name: position for position, name in enumerate(names)}
    # The JSON columns come as text and are decoded here, by orjson: a third of the time of reading a
    # row went to decoding them with the standard library, through Django's converters.
    if "export_answers" in index:
        queryset = queryset.annotate(export_answers=filed_answers(TextField()))
    if "export_identity" in index:
        queryset = queryset.annotate(export_identity=ExpressionWrapper(F("identity"), output_field=TextField()))
    # The dates as text too, read by datetime.fromisoformat: psycopg's loader of Django's dates with a
    # time zone is written in Python, and cost four times as much.
    for name in ("submitted_at", "decided_at"):
        if f"export_{name}" in index:
            queryset = queryset.annotate(**{f"export_{name}": Cast(name, output_field=TextField())})
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    fixed = [column for column in columns if column.field is None]
    answered = [column for column in columns if column.field is not None]
    # A row is the fixed columns' cells then the answers' (the order of the screens): put back in the
    # order chosen when it is another.
    placed = fixed + answered
    order = None if placed == list(columns) else [placed.index(column) for column in columns]
    getters = [_getter(column, index, typed=typed) for column in fixed]
    # Each answer is written by its field in the dossier's own version (a choice's labels may have
    # changed since), else by the column's field: one cell function per column and version, made once.
    versions: dict[int | None, list[Callable[[dict], Cell]]] = {}

    def cells_of(version_id: int | None) -> list[Callable[[dict], Cell]]:
        fields = {field.id: field for field in version_form(version_id).iter_fields()} if version_id else {}
        made = [answer_cell(fields.get(column.field.id, column.field), typed=typed) for column in answered]
        versions[version_id] = made
        return made

    answers_at, version_at, identity_at = (
        index.get("export_answers"),
        index.get("version_id"),
        index.get("export_identity"),
    )
    for record in _records(queryset.values_list(*names), chunk_size=chunk_size):
        identity = _decoded(record[identity_at]) if identity_at is not None and record[identity_at] else None
        answers = _decoded(record[answers_at]) if answers_at is not None and record[answers_at] else None
        row = [getter(record, identity) for getter in getters]
        if answers_at is not None:
            if not isinstance(answers, dict):
                answers = {}
            cells = versions.get(record[version_at]) or cells_of(record[version_at])
            row += [cell(answers) for cell in cells]
        yield row if order is None else [row[position] for position in order]


# orjson reads an integer past 64 bits as a float, rounded: a text with 19 digits in a row (in a
# number or in a string, this cannot tell) is read by the standard library, to the last digit.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19


def _decoded(text: str) -> Any:
    data = text.encode("utf-8", "surrogatepass")
    if _LONG_DIGITS not in data.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:  # what orjson refuses (an escaped lone surrogate), json reads
            pass
    return json.loads(text)


_READ = object()  # what the reading thread sends once it has sent every chunk


def _records(values: QuerySet, *, chunk_size: int) -> Iterator[tuple]:
    """The records of `values`, `chunk_size` at a time. On PostgreSQL, outside a transaction (a
    response being streamed, the worker's task), a thread reads them on a connection of its own while
    the caller writes the chunk before: PostgreSQL computes the next rows as Python formats these,
    which nearly halves the time of a large export on two cores. Inside a transaction (tests, a caller's
    atomic block) only this connection sees the same data: the records are read here, in turn."""
    connection = connections[values.db]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield from values.iterator(chunk_size=chunk_size)
        return
    chunks: queue.Queue = queue.Queue(maxsize=2)  # memory: the chunk written and two read ahead
    stop = threading.Event()

    def send(item: Any) -> None:
        while not stop.is_set():  # the caller stopped (a download cancelled): nobody takes it
            try:
                chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            # In a transaction, PostgreSQL's cursor gives rows as they are asked for: without one,
            # Django's cursor is declared WITH HOLD, and the whole list is computed before the first
            # row. Compiling the query to machine code (JIT) would cost more than it saves.
            with transaction.atomic(using=values.db):
                with connections[values.db].cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
                records = values.iterator(chunk_size=chunk_size)
                while (chunk := list(islice(records, chunk_size))) and not stop.is_set():
                    send(chunk)
            send(_READ)
        except Exception as error:  # given to the caller, which raises it
            send(error)
        finally:
            connections[values.db].close()

    reader = threading.Thread(target=read, name="export-rows", daemon=True)
    reader.start()
    try:
        while (chunk := chunks.get()) is not _READ:
            if isinstance(chunk, Exception):
                raise chunk
            yield from chunk
    finally:
        stop.set()
        reader.join()


Getter = Callable[[tuple, Any], Cell]


def _getter(column: ExportColumn, index: dict[str, int], *, typed: bool) -> Getter:
    if column.id == "number":
        i = index["number"]
        return lambda record, identity: record[i] or ""
    if column.id == "state":
        i = index["state"]
        labels = {state.value: str(state.label) for state in DossierState}
        return lambda record, identity: labels.get(record[i], record[i])
    if column.id in {"submitted_at", "decided_at"}:
        i, zone, fromisoformat = index[f"export_{column.id}"], timezone.get_current_timezone(), datetime.fromisoformat

        def local(text: str) -> datetime:
            at = fromisoformat(text)
            # PostgreSQL writes the offset of the connection's time zone; SQLite stores UTC without one.
            return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)

        if typed:
            # A spreadsheet's dates have no time zone: the local time, as the texts write it.
            return lambda record, identity: local(record[i]).replace(tzinfo=None) if record[i] else ""

        def moment(record: tuple, identity: Any) -> str:
            # Local time, as French spreadsheets recognise a date and time (spelt out: strftime costs
            # three times as much).
            if record[i] is None:
                return ""
            at = fromisoformat(record[i])
            at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)
            return f"{at.day:02}/{at.month:02}/{at.year} {at.hour:02}:{at.minute:02}"

        return moment
    if column.id == "group":
        i = index["group__name"]
        return lambda record, identity: record[i] or ""
    key, fallback = _IDENTITY_KEYS[column.id]
    j = index[fallback]

    def identity_value(record: tuple, identity: Any) -> str:
        # Who filed it, as frozen at submission; the account's names for a dossier without it.
        return str(identity.get(key) or "") if identity else (record[j] or "")

    return identity_value


def export_header(columns: Sequence[ExportColumn]) -> list[str]:
    return [column.label for column in columns]
