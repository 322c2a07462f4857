"""The demo data, loaded once per test process and copied into the database of every test that asks
for them (the `demo` fixture).

Loading the demo goes through the services (hundreds of dossiers, each with its transitions and
audit events) and takes seconds; copying its rows takes a fraction of one. The copy is made of the
rows the demo adds to tables that were empty before, read raw (SQLite's stored values, PostgreSQL's
COPY text), so that what a test finds is exactly what a fresh `manage.py demo` would have written.
"""

import io
from dataclasses import dataclass

from django.core.management import call_command
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from guichet.procedures.selectors import version_form_forget

# Django's own bookkeeping, which no test empties.
_KEPT_TABLES = {"django_migrations"}


@dataclass(frozen=True)
class _TableCopy:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple] | bytes  # SQLite: the stored values; PostgreSQL: COPY's text format
    sequences: tuple[tuple[str, str], ...]  # (sequence, column), PostgreSQL only


def _quoted(connection: BaseDatabaseWrapper, name: str) -> str:
    return connection.ops.quote_name(name)


def _tables(connection: BaseDatabaseWrapper, cursor) -> list[str]:
    names = connection.introspection.table_names(cursor, include_views=False)
    return [name for name in names if name not in _KEPT_TABLES and not name.startswith("sqlite_")]


def _counts(connection: BaseDatabaseWrapper, cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(connection, cursor):
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(connection, table)}")  # noqa: S608 (names from the schema)
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_copy(connection: BaseDatabaseWrapper, cursor, table: str) -> _TableCopy:
    cursor.execute(f"PRAGMA table_info({_quoted(connection, table)})")
    columns = tuple(row[1] for row in cursor.fetchall())
    # `+column` is SQLite's no-op operator: the value as stored, without the type that would make
    # Django's converters turn it into a datetime or a Decimal on the way out.
    selected = ", ".join(f"+{_quoted(connection, column)}" for column in columns)
    cursor.execute(f"SELECT {selected} FROM {_quoted(connection, table)}")  # noqa: S608 (names from the schema)
    return _TableCopy(table, columns, cursor.fetchall(), ())


def _postgresql_copy(connection: BaseDatabaseWrapper, cursor, table: str) -> _TableCopy:
    with cursor.cursor.copy(f"COPY {_quoted(connection, table)} TO STDOUT") as copy:
        rows = b"".join(bytes(chunk) for chunk in copy)
    sequences = tuple(
        (sequence["name"], sequence["column"])
        for sequence in connection.introspection.get_sequences(cursor, table)
        if sequence.get("name")
    )
    return _TableCopy(table, (), rows, sequences)


@dataclass(frozen=True)
class DemoDatabase:
    """The rows of the demo, ready to be written into an empty test database."""

    tables: tuple[_TableCopy, ...]

    @classmethod
    def load(cls, connection: BaseDatabaseWrapper) -> "DemoDatabase":
        """Load the demo in a transaction that is rolled back, keeping a copy of what it wrote: the
        database is left as it was, and what follows a commit (tasks, emails) never runs, as for
        the demo loaded inside a test."""
        copy_table = _postgresql_copy if connection.vendor == "postgresql" else _sqlite_copy
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                before = _counts(connection, cursor)
            call_command("demo", "--quiet-accounts", stdout=io.StringIO())
            with connection.cursor() as cursor:
                after = _counts(connection, cursor)
                changed = sorted(table for table, count in before.items() if count and after[table] != count)
                if changed:
                    # Those rows would have to be merged with the ones already there, not copied.
                    raise RuntimeError(f"The demo writes into tables that were not empty: {changed}")
                tables = tuple(
                    copy_table(connection, cursor, table)
                    for table, count in after.items()
                    if count and not before[table]
                )
            transaction.set_rollback(True, using=connection.alias)
        return cls(tables)

    def write(self, connection: BaseDatabaseWrapper) -> None:
        """Write the demo's rows into the database, whose demo tables must be empty (a row already
        there with the same key fails the test)."""
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for table in self.tables:
                name = _quoted(connection, table.name)
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
                        copy.write(table.rows)
                    for sequence, column in table.sequences:
                        column = _quoted(connection, column)
                        cursor.execute(
                            f"SELECT setval(%s, MAX({column})) FROM {name}",  # noqa: S608 (names from the schema)
                            [sequence],
                        )
                else:
                    columns = ", ".join(_quoted(connection, column) for column in table.columns)
                    values = ", ".join("?" * len(table.columns))
                    # The DB-API cursor: values go in as they were read, without Django's adapters.
                    cursor.cursor.executemany(f"INSERT INTO {name} ({columns}) VALUES ({values})", table.rows)  # noqa: S608
        # Parsed versions are remembered by id; these rows came without the save that forgets them.
        version_form_forget()
