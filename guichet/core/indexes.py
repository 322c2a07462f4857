"""Indexes that only PostgreSQL has, declared on the models like any other."""

from django.contrib.postgres.indexes import GinIndex


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
