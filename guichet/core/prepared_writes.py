"""The writes that every request of an applicant's flow makes (an audit event, the dossier's answers, a
file's row), with their SQL built once per model and database instead of compiled by the ORM at each
save (decision 0056).

`row_insert(obj)` does what `obj.save()` does for a new object, and `row_update(obj, fields)` what
`obj.save(update_fields=fields)` does: each field's `pre_save` (dates set automatically), its value
prepared for the database by the field itself, the primary key read back, the object marked as saved.
What they leave out they refuse to skip: a model with `post_save` receivers (or `pre_save` ones, for
`row_update`), or a value that is an SQL expression, goes through `save()` as before (`row_insert` sends
`pre_save` itself, as `save()` does), except an `SQLValue` given to `row_update`: a
value the database computes by an SQL text fixed in the code (the search vector), written in place of
its placeholder. A model's own `save()` is not called: use them only where that method adds nothing (a
test compares both, tests/core/test_prepared_writes.py)."""

from collections.abc import Sequence

from django.db import DatabaseError, connections, router
from django.db.models import Expression, Field, Model, signals


class SQLValue(Expression):
    """A value that the database computes with `sql` (its `%s` bound to `params`): an SQL text that
    depends on nothing else (no column, no join), so that `row_update` writes it as it is, and
    `save()` or `update()` as any expression."""

    def __init__(self, sql: str, params: Sequence, output_field: Field):
        super().__init__(output_field=output_field)
        self.sql, self.params = sql, list(params)

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return self  # nothing in it refers to the query

    def as_sql(self, compiler, connection):
        return self.sql, self.params


_INSERTS: dict[tuple, tuple] = {}
_UPDATES: dict[tuple, tuple] = {}


def _plain(model: type[Model]) -> bool:
    return not (signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model))


def _insert_plan(model: type[Model], alias: str, with_pk: bool, rows: int = 1) -> tuple:
    connection = connections[alias]
    key = (model, connection.vendor, with_pk, rows)
    plan = _INSERTS.get(key)
    if plan is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if not f.generated and (with_pk or f is not meta.auto_field)]
        if any(hasattr(field, "get_placeholder") for field in fields):
            raise TypeError(f"{meta.label}: a field with its own SQL placeholder cannot be inserted here")
        quote = connection.ops.quote_name
        features = connection.features
        can_return = features.can_return_columns_from_insert if rows == 1 else features.can_return_rows_from_bulk_insert
        returning = list(meta.db_returning_fields) if can_return else []
        row = "({})".format(", ".join(["%s"] * len(fields)))
        sql = "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608 (quoted names of the model's own)
            quote(meta.db_table), ", ".join(quote(field.column) for field in fields), ", ".join([row] * rows)
        )
        if returning:
            sql += " " + connection.ops.return_insert_columns(returning)[0]
        plan = _INSERTS[key] = (sql, fields, returning)
    return plan


def _returned(obj: Model, returning: list, row: Sequence, connection) -> None:
    """The values that the database returned for `obj`'s row (its key), as Django converts them."""
    for field, value in zip(returning, row, strict=True):
        for converter in field.get_db_converters(connection):
            value = converter(value, field, connection)
        setattr(obj, field.attname, value)


def row_insert(obj: Model) -> Model:
    """`obj`, new, saved as one INSERT (see above). A model with `pre_save` receivers (and none for
    `post_save`) gets them sent here as `save()` sends them, before its fields' own `pre_save`."""
    model = type(obj)
    meta = model._meta
    # With pre_save receivers, an expression must be seen before they are sent (save() would send
    # them again); without, it is seen below among the values, as before.
    signalled = signals.pre_save.has_listeners(model)
    if (
        not obj._state.adding
        or signals.post_save.has_listeners(model)
        or (signalled and any(hasattr(getattr(obj, f.attname), "resolve_expression") for f in meta.concrete_fields))
    ):
        obj.save()
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")
    alias = router.db_for_write(model, instance=obj)
    if signalled:
        signals.pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    pk_value = meta.pk.get_pk_value_on_save(obj)
    if pk_value is not None:
        setattr(obj, meta.pk.attname, pk_value)
    sql, fields, returning = _insert_plan(model, alias, with_pk=pk_value is not None)
    connection = connections[alias]
    values = [field.pre_save(obj, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        if signalled:
            raise TypeError(f"{meta.label}: a pre_save receiver or field gave an SQL expression")
        obj.save()
        return obj
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            _returned(obj, returning, cursor.fetchone(), connection)
        elif pk_value is None:
            setattr(obj, meta.pk.attname, connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column))
    obj._state.adding, obj._state.db = False, alias
    return obj


def rows_insert(objs: Sequence[Model]) -> list[Model]:
    """`Model.objects.bulk_create(objs)` for a few new objects of one model without primary keys
    (no signals either way), as one INSERT built once per model and number of rows; their keys read
    back where the database says them, as bulk_create does."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    meta = model._meta
    if any(type(obj) is not model or not obj._state.adding or obj.pk is not None for obj in objs):
        raise TypeError(f"rows_insert: new {meta.label} objects without keys only")
    alias = router.db_for_write(model)
    sql, fields, returning = _insert_plan(model, alias, with_pk=False, rows=len(objs))
    connection = connections[alias]
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"rows_insert: {meta.label}.{field.name} is an SQL expression")
            params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            for obj, row in zip(objs, cursor.fetchall(), strict=True):
                _returned(obj, returning, row, connection)
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias
    return objs


def _update_plan(model: type[Model], alias: str, names: tuple[str, ...], shapes: tuple) -> tuple:
    """The UPDATE of `names`; `shapes` holds, per name, the SQL of an SQLValue written there (or None
    for a plain value's placeholder)."""
    connection = connections[alias]
    key = (model, connection.vendor, names, shapes)
    plan = _UPDATES.get(key)
    if plan is None:
        meta = model._meta
        fields = [meta.get_field(name) for name in names]
        if any(not field.concrete or field.primary_key or hasattr(field, "get_placeholder") for field in fields):
            raise TypeError(f"{meta.label}: {names} cannot be updated here")
        quote = connection.ops.quote_name
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (quoted names of the model's own)
            quote(meta.db_table),
            ", ".join(f"{quote(field.column)} = {shape or '%s'}" for field, shape in zip(fields, shapes, strict=True)),
            quote(meta.pk.column),
        )
        plan = _UPDATES[key] = (sql, fields)
    return plan


def row_update(obj: Model, fields: list[str]) -> Model:
    """`obj.save(update_fields=fields)` as one UPDATE (see above); DatabaseError when the row is gone,
    as `save()` says it."""
    model = type(obj)
    if obj._state.adding or not _plain(model):
        obj.save(update_fields=fields)
        return obj
    # Asked of the router as save() asks it (it also notes the write: read-your-writes, core/replicas.py).
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    names = tuple(dict.fromkeys(fields))
    meta = model._meta
    values = [meta.get_field(name).pre_save(obj, False) for name in names]
    if any(hasattr(value, "resolve_expression") and not isinstance(value, SQLValue) for value in values):
        obj.save(update_fields=fields)
        return obj
    shapes = tuple(value.sql if isinstance(value, SQLValue) else None for value in values)
    sql, planned = _update_plan(model, alias, names, shapes)
    params = []
    for field, value in zip(planned, values, strict=True):
        if isinstance(value, SQLValue):
            params.extend(value.params)
        else:
            params.append(field.get_db_prep_save(value, connection))
    params.append(meta.pk.get_db_prep_value(obj.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    return obj
