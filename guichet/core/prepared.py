"""Queries that every request runs (the signed-in user, the applicant's dossier, the person's roles),
their SQL compiled once per database instead of at each request.

Compiling a query's SQL (the columns of its joined tables, its conditions) is most of what reading one
row costs Django: for the dossier read with its procedure and organisation, more than running it. A
`PreparedQuery` builds its queryset once with stand-in values, compiles it, and then runs the same
SQL with the real values, turning the rows into objects exactly as the queryset would (Django's own
iterables, converters and related objects). The queryset is the reference: a test checks that both
give the same objects and the same SQL (tests/core/test_prepared.py).

Only for querysets whose SQL depends on nothing but the values given (no `now()`, no setting)."""

import copy
from collections.abc import Callable
from threading import Lock
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE
from django.db.transaction import TransactionManagementError

# Stand-ins for the values, found again in the compiled parameters: integers (primary keys), or
# texts for the values that `build` annotates as `str` (a slug).
_STAND_INS = tuple(-7_000_000_001 - index for index in range(8))
_TEXT_STAND_INS = tuple(f"\x1fvaleur-preparee-{index}\x1f" for index in range(8))


class _Query:
    """The compiled query as Django's iterables see it: the queryset's own, with its compiler."""

    def __init__(self, query, compiler):
        self._query, self._compiler = query, compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._query, name)


class _QuerySet:
    """What Django's iterables read of a queryset."""

    def __init__(self, queryset: QuerySet, query: _Query):
        self.db, self.model, self.query = queryset.db, queryset.model, query
        self._known_related_objects: dict = {}
        self._fields = queryset._fields


class PreparedQuery:
    """`build(*values)` gives the queryset; `rows(*values)` its objects (or dicts, for `values()`),
    `get(*values)` the only one (the model's DoesNotExist when there is none), `first(*values)`.
    Values are integers (primary keys, foreign keys), as many as `build` takes, or texts where `build`
    annotates its argument as `str`."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._arity = build.__code__.co_argcount
        names = build.__code__.co_varnames[: self._arity]
        annotations = getattr(build, "__annotations__", {})
        self._texts = tuple(annotations.get(name) in (str, "str") for name in names)
        self._stand_ins = tuple(
            _TEXT_STAND_INS[index] if text else _STAND_INS[index] for index, text in enumerate(self._texts)
        )
        self._compiled: dict[str, tuple] = {}  # per database vendor
        self._alias: str | None = None
        self._lock = Lock()

    def _compile(self) -> tuple:
        compiled = self._compiled.get(connections[self._alias].vendor) if self._alias else None
        if compiled is None:
            with self._lock:
                queryset = self._build(*self._stand_ins)
                self._alias = queryset.db
                compiler = queryset.query.get_compiler(using=queryset.db)
                sql, params = compiler.as_sql()
                places = [
                    [index for index, value in enumerate(params) if value == stand_in] for stand_in in self._stand_ins
                ]
                if not all(places):
                    raise ValueError("a value of the prepared query is not among its SQL parameters")
                compiled = (queryset, compiler, sql, tuple(params), places, _ObjectsShape.of(queryset, compiler))
                self._compiled[connections[queryset.db].vendor] = compiled
        return compiled

    def sql(self, *values: int | str) -> tuple[str, list]:
        """The SQL and the parameters sent for `values`."""
        _queryset, _compiler, sql, params, places, _shape = self._compile()
        bound = list(params)
        for value, indexes, text in zip(values, places, self._texts, strict=True):
            for index in indexes:
                bound[index] = str(value) if text else int(value)
        return sql, bound

    def rows(self, *values: int | str) -> list:
        queryset, compiler, _sql, _params, _places, shape = self._compile()
        sql, bound = self.sql(*values)
        connection = connections[queryset.db]
        if queryset.query.select_for_update and not connection.in_atomic_block:
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        if shape is not None:
            with connection.cursor() as cursor:
                cursor.execute(sql, bound)
                return shape.objects(cursor.fetchall(), connection)
        runner = copy.copy(compiler)
        runner.connection = connection  # the thread's own connection
        runner.as_sql = lambda *args, **kwargs: (sql, tuple(bound))
        shape = _QuerySet(queryset, _Query(queryset.query, runner))
        return list(queryset._iterable_class(shape, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE))

    def get(self, *values: int | str):
        found = self.rows(*values)
        model = self._compile()[0].model
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        if len(found) > 1:
            raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}.")
        return found[0]

    def first(self, *values: int | str):
        found = self.rows(*values)
        return found[0] if found else None


class _ObjectsShape:
    """How the rows of a query that gives objects become objects, worked out once: what Django's
    ModelIterable works out at each run (the columns of each model, the converters of each column,
    the related objects read with it), then the same steps on each row."""

    @classmethod
    def of(cls, queryset: QuerySet, compiler) -> "_ObjectsShape | None":
        if queryset._iterable_class is not ModelIterable or queryset._known_related_objects:
            return None  # values(), or objects that Django links otherwise: its own iterable
        return cls(queryset, compiler)

    def __init__(self, queryset: QuerySet, compiler):
        select, klass_info = compiler.select, compiler.klass_info
        self.db, self.model = queryset.db, klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, queryset.db)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = list(compiler.get_converters([column[0] for column in select[: compiler.col_count]]).items())
        self.width = compiler.col_count if compiler.has_extra_select else None

    def objects(self, rows: list, connection) -> list:
        found = []
        for fetched in rows:
            row = list(fetched[: self.width] if self.width is not None else fetched)
            for position, (converters, expression) in self.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found
