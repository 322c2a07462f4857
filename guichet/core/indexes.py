"""Indexes that only PostgreSQL has, declared on the models like any other."""

from django.contrib.postgres import operations as postgres_operations
from django.contrib.postgres.indexes import GinIndex
from django.db.migrations.operations import AddIndex, RemoveIndex
from django.db.migrations.operations.base import Operation


class PostgresGinIndex(GinIndex):
    """A GIN index on PostgreSQL, nothing elsewhere: the same migrations run on SQLite (development,
    the tests), which has no such index and rebuilds a table with all its declared indexes whenever
    one of its columns changes."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)


class _ConcurrentlyOnPostgreSQL:
    """The CONCURRENTLY form of an index operation on PostgreSQL, the `plain` one elsewhere."""

    plain: type[Operation]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return self.plain.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return self.plain.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexConcurrently(_ConcurrentlyOnPostgreSQL, postgres_operations.AddIndexConcurrently):
    """AddIndex that leaves the table writable while the index is built: CREATE INDEX CONCURRENTLY
    on PostgreSQL (minutes over a million dossiers, with every submission waiting otherwise), a plain
    index elsewhere. The migration must say `atomic = False`."""

    plain = AddIndex


class RemoveIndexConcurrently(_ConcurrentlyOnPostgreSQL, postgres_operations.RemoveIndexConcurrently):
    """RemoveIndex with DROP INDEX CONCURRENTLY on PostgreSQL (see AddIndexConcurrently)."""

    plain = RemoveIndex
