"""What the read replicas' tests share (the fixture `replicas_on` is in tests/conftest.py): the alias
replica1, which reads the primary's test database (TEST MIRROR in config/settings/test.py), the
queries each database received, and a replica that cannot be reached."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.test.utils import CaptureQueriesContext

REPLICA = "replica1"
BOTH = ["default", REPLICA]


class Queries:
    def __init__(self) -> None:
        self.primary: list[str] = []
        self.replica: list[str] = []

    def on_replica(self, table: str) -> bool:
        return any(table in sql for sql in self.replica)

    def on_primary(self, table: str) -> bool:
        return any(table in sql for sql in self.primary)


@contextmanager
def queries() -> Iterator[Queries]:
    """The SQL each database received within the block."""
    seen = Queries()
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections[REPLICA]) as other:
        yield seen
    seen.primary = [query["sql"] for query in primary.captured_queries]
    seen.replica = [query["sql"] for query in other.captured_queries]


@contextmanager
def replica_unreachable() -> Iterator[None]:
    """replica1 made to point at a server that does not answer (a closed port, or an SQLite file in
    a folder that does not exist): its real connection fails, as when a replica's machine is lost."""
    connection = connections[REPLICA]
    connection.close()
    saved = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    else:
        connection.settings_dict["NAME"] = "/nonexistent/guichet/replica.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
