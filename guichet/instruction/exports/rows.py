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
from django.db import connections
from django.db.models import Case, F, Func, JSONField, OuterRef, QuerySet, Subquery, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from guichet.dossiers.models import Dossier, DossierSnapshot, DossierState
from guichet.procedures.selectors import version_form

from .columns import Cell, ExportColumn, answer_cell

# Dossiers read at a time: a few megabytes in memory, a round trip to the database per chunk.
CHUNK_SIZE = 5000

# Where the dossier's own columns read who filed it: the identity frozen at submission, else the
# account's names.
_IDENTITY_KEYS = {
    "applicant_last_name": ("family_name", "applicant__last_name"),
    "applicant_first_name": ("given_name", "applicant__first_name"),
    "applicant_email": ("email", "applicant__email"),
}
_DATES = {"submitted_at", "decided_at"}


class _LocalMinute(Func):
    """A date and time as French spreadsheets recognise it, "25/03/2026 14:30" in local time, written
    by PostgreSQL (in the reading thread's query: while Python formats the rows before)."""

    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE %s, 'DD/MM/YYYY HH24:MI')", (*params, timezone.get_current_timezone_name())


def _fixed_value(column_id: str, *, written_by_database: bool) -> Any:
    """A dossier's own column as the database writes it, in the text of the cell (the dates excepted,
    unless `written_by_database`: their ISO text, for Python to put in local time). PostgreSQL does
    this work while Python formats the rows before (export_rows reads ahead)."""
    if column_id == "number":
        return Coalesce(F("number"), Value(""), output_field=TextField())
    if column_id == "state":
        labels = [When(state=state.value, then=Value(str(state.label))) for state in DossierState]
        return Case(*labels, default=F("state"), output_field=TextField())
    if column_id in _DATES and written_by_database:
        return Coalesce(_LocalMinute(column_id), Value(""), output_field=TextField())
    if column_id in _DATES:
        # As text, read by datetime.fromisoformat: psycopg's loader of Django's dates with a time zone
        # is written in Python, and cost four times as much.
        return Cast(column_id, output_field=TextField())
    if column_id == "group":
        return Coalesce(F("group__name"), Value(""), output_field=TextField())
    key, account = _IDENTITY_KEYS[column_id]
    return Case(
        When(identity={}, then=Coalesce(F(account), Value(""))),
        default=Coalesce(KT(f"identity__{key}"), Value("")),
        output_field=TextField(),
    )


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
    if not columns:
        return
    fixed = [column for column in columns if column.field is None]
    answered = [column for column in columns if column.field is not None]
    # A record is the fixed columns' values, in their order, then the version and the answers (read as
    # text and decoded here by orjson: a third of the time of reading a row went to decoding JSON with
    # the standard library, through Django's converters).
    # PostgreSQL writes the dates' texts; SQLite has no time zones, and spreadsheets take dates as such.
    dates_written = connections[queryset.db].vendor == "postgresql" and not typed
    annotations = {
        f"export_{column.id}": _fixed_value(column.id, written_by_database=dates_written) for column in fixed
    }
    if answered:
        annotations["export_answers"] = filed_answers(TextField())
    queryset = queryset.annotate(**annotations)
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    names = [f"export_{column.id}" for column in fixed] + (["version_id", "export_answers"] if answered else [])
    count, version_at, answers_at = len(fixed), len(fixed), len(fixed) + 1
    dates = [
        (position, _date_writer(typed=typed))
        for position, column in enumerate(fixed)
        if column.id in _DATES and not dates_written
    ]
    # A row is the fixed columns' cells then the answers' (the order of the screens): put back in the
    # order chosen when it is another.
    placed = fixed + answered
    order = None if placed == list(columns) else [placed.index(column) for column in columns]
    # Each answer is written by its field in the dossier's own version (a choice's labels may have
    # changed since), else by the column's field: one cell function per column and version, made once.
    versions: dict[int | None, list[Callable[[dict], Cell]]] = {}

    def cells_of(version_id: int | None) -> list[Callable[[dict], Cell]]:
        fields = {field.id: field for field in version_form(version_id).iter_fields()} if version_id else {}
        made = [answer_cell(fields.get(column.field.id, column.field), typed=typed) for column in answered]
        versions[version_id] = made
        return made

    for record in _records(queryset.values_list(*names), chunk_size=chunk_size):
        row: list[Cell] = list(record[:count])
        for position, write in dates:
            row[position] = write(row[position]) if row[position] is not None else ""
        if answered:
            answers = _decoded(record[answers_at]) if record[answers_at] else None
            if not isinstance(answers, dict):
                answers = {}
            cells = versions.get(record[version_at]) or cells_of(record[version_at])
            row += [cell(answers) for cell in cells]
        yield row if order is None else [row[position] for position in order]


# orjson reads an integer past 64 bits as a float, rounded: a JSON text with 19 digits in a row is
# looked at closer, and read by the standard library, to the last digit, when they may be a number
# (after ":", "[" or ","). Digits in a string (an IBAN, a reference) are common: those are read by
# orjson still, which a third of the benchmark's dossiers of one procedure were not.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19


def _long_number(zeroed: bytes) -> bool:
    """Whether a run of 19 digits in a JSON text (its digits made "0") may be a number: what comes
    before it, past a sign and spaces, is where a value starts (a string's "FR76…" is not)."""
    at = zeroed.find(_LONG_DIGITS)
    while at != -1:
        before = zeroed[max(0, at - 16) : at].rstrip(b"- \t\n\r")
        if not before or before[-1:] in b":[,":
            return True
        at = zeroed.find(_LONG_DIGITS, at + 19)
    return False


def _decoded(text: str) -> Any:
    data = text.encode("utf-8", "surrogatepass")
    if not _long_number(data.translate(_DIGITS_AS_ZERO)):
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
            # One query, its rows streamed (libpq's chunked rows): as a plain query rather than a
            # cursor, PostgreSQL may plan it on several cores, and sends its first row once the list
            # is sorted (0.7 s for 230,000 dossiers, against 2 to 3 s for a cursor, planned on one
            # core with the snapshots' lookup before the sort); then rows as they are taken, the
            # socket holding back the rest. Values go through the ORM's converters, as they would
            # through the iterator (the export's texts and integers have none). Compiling the query
            # to machine code (JIT) would cost more than it saves: this connection is closed after.
            compiler = values.query.get_compiler(using=values.db)
            sql, params = compiler.as_sql()
            converters = compiler.get_converters([column for column, _, _ in compiler.select[: compiler.col_count]])
            with connections[values.db].cursor() as cursor:
                cursor.execute("SET jit = off")
                stream = cursor.cursor.stream(sql, params, size=chunk_size)
                records = compiler.apply_converters(stream, converters) if converters else stream
                while (chunk := list(islice(records, chunk_size))) and not stop.is_set():
                    send(chunk)
                stream.close()
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


def _date_writer(*, typed: bool) -> Callable[[str], Cell]:
    """A dossier's date, from its ISO text, in local time: as French spreadsheets recognise a date and
    time, or with `typed` as a date and time without time zone (a spreadsheet has none)."""
    zone, fromisoformat = timezone.get_current_timezone(), datetime.fromisoformat

    def local(text: str) -> datetime:
        at = fromisoformat(text)
        # PostgreSQL writes the offset of the connection's time zone; SQLite stores UTC without one.
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)

    if typed:
        return lambda text: local(text).replace(tzinfo=None)

    def moment(text: str) -> str:
        # Spelt out: strftime costs three times as much.
        at = fromisoformat(text)
        at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)
        return f"{at.day:02}/{at.month:02}/{at.year} {at.hour:02}:{at.minute:02}"

    return moment


def export_header(columns: Sequence[ExportColumn]) -> list[str]:
    return [column.label for column in columns]
