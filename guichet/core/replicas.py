"""Read replicas (docs/operations.md, decision 0055). Every read and write goes to the primary
("default") unless a place whose reads tolerate a short delay asks for a replica explicitly: a view
decorated with `reads_from_replica`, a block `with replica_reads():`, or a queryset bound by
`on_replica()`. Even there the primary is read when the person wrote in the last seconds
(read-your-writes: `ReadYourWritesMiddleware` pins them), when the request already wrote, inside a
transaction (a service that reads then writes), and when no replica is in step (replica_health.py)."""

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.utils import InterfaceError, OperationalError

from .replica_health import ReplicaStatus, primary_position, replica_replayed, replica_status

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=Model)
F = TypeVar("F", bound=Callable[..., Any])

PRIMARY = DEFAULT_DB_ALIAS

# Writes that a reading request makes for its own bookkeeping (its session, the audit trail's event
# of an API call, a key's last use, a failed sign-in): they change nothing the person will look for
# in a list, and pinning on them would keep every API client and every signed-in person off the
# replicas. Any write in a POST, PUT, PATCH or DELETE pins, these included.
BOOKKEEPING_MODELS = frozenset(
    {
        "sessions.session",
        "core.auditevent",
        "core.auditchainhead",
        "api.apitoken",
        "api.servicetoken",
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
    }
)


@dataclass
class RequestWrites:
    """What the middleware knows of one request: whether its author is pinned to the primary,
    whether the request wrote something (it reads the primary from then on, and its author is
    pinned), and whether it wrote only its bookkeeping."""

    pinned: bool = False
    wrote: bool = False
    kept_books: bool = False


_request: ContextVar[RequestWrites | None] = ContextVar("guichet_request_writes", default=None)
# The replica chosen for the current `replica_reads()` block; None outside any.
_replica: ContextVar[str | None] = ContextVar("guichet_replica", default=None)


@contextmanager
def request_writes(*, pinned: bool) -> Iterator[RequestWrites]:
    """The scope of one request (the middleware's): its writes are noted on what it yields."""
    state = RequestWrites(pinned=pinned)
    token = _request.set(state)
    try:
        yield state
    finally:
        _request.reset(token)


def _in_transaction() -> bool:
    """Whether the primary's connection is inside an atomic block (a service that will write, or
    has written): the test cases' own enclosing transactions do not count."""
    blocks = connections[PRIMARY].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def _must_read_primary() -> bool:
    state = _request.get()
    return (state is not None and (state.pinned or state.wrote)) or _in_transaction()


def replica_for_reads() -> str:
    """The alias the reads that tolerate a short delay should use now: a replica in step (chosen at
    random among them), else the primary."""
    aliases = settings.GUICHET_REPLICA_ALIASES
    if not aliases or _must_read_primary():
        return PRIMARY
    in_step = [alias for alias in aliases if replica_status(alias) == ReplicaStatus.OK]
    return random.choice(in_step) if in_step else PRIMARY  # noqa: S311 (spreading load, not a secret)


@contextmanager
def replica_reads() -> Iterator[str]:
    """Within the block, the ORM's reads go to one replica in step (the same for the whole block, so
    that a count and its page agree), or to the primary when it must be read. Yields the alias."""
    alias = replica_for_reads()
    token = _replica.set(alias)
    try:
        yield alias
    finally:
        _replica.reset(token)


def on_replica(queryset: QuerySet[M]) -> QuerySet[M]:
    """The queryset bound to a replica in step (or to the primary): for a result read after the
    block that asked for it, such as a streamed export or the worker's. Inside `replica_reads()`,
    the block's replica."""
    alias = _replica.get()
    if alias is None:
        alias = replica_for_reads()
    elif _must_read_primary():
        alias = PRIMARY
    return queryset.using(alias)


def on_replica_caught_up(queryset: QuerySet[M], *, wait: float = 2.0) -> QuerySet[M]:
    """The queryset bound to a replica in step that has replayed everything the primary committed
    until now (waiting up to `wait` seconds for it), else to the primary: for work that follows a
    person's write outside their request (a worker's export asked seconds after a decision), which
    no pinning covers and which a replica within the lag allowed could show without that decision."""
    alias = on_replica(queryset).db
    if alias == PRIMARY:
        return queryset.using(PRIMARY)
    position = primary_position()
    deadline = time.monotonic() + wait
    while not replica_replayed(alias, position):
        if time.monotonic() >= deadline:
            return queryset.using(PRIMARY)
        time.sleep(0.05)
    return queryset.using(alias)


def _rendered(response: Any) -> Any:
    # A TemplateResponse renders after the view returns: rendered here, its reads stay in the block.
    render = getattr(response, "render", None)
    if callable(render) and not getattr(response, "is_rendered", True):
        render()
    return response


def _queued_messages(request: Any) -> list | None:
    # The messages a view queued for the next page (django.contrib.messages' storage keeps them in a
    # list until the response): those of a run given up must not be shown twice.
    return getattr(getattr(request, "_messages", None), "_queued_messages", None)


def reads_from_replica(view: F) -> F:
    """For a GET view (a screen or an API operation) whose reads tolerate a short delay: its reads
    go to a replica in step. If the replica fails on the way (gone, or a query cancelled by its
    replay), the view is run again on the primary, with a warning: never an error page (the
    messages the first run queued are dropped, and a run that wrote data is not repeated). An
    error of the primary is raised as usual. Other methods run on the primary as usual."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads() as alias:
            if alias == PRIMARY:
                return _rendered(view(request, *args, **kwargs))
            # Django notes on a connection any error that may have broken it (its connecting too): an
            # error the replica did not note is the primary's (a lock or statement timeout, a lost
            # primary), which running the view again would only hide, repeating what it did.
            replica = connections[alias]
            errors_before = replica.errors_occurred
            queued = _queued_messages(request)
            queued_before = len(queued) if queued is not None else 0
            state = _request.get()
            wrote_before = state is not None and state.wrote
            try:
                return _rendered(view(request, *args, **kwargs))
            except (OperationalError, InterfaceError) as error:
                # (A flag left from before the view cannot tell: the replica is suspected, as before.)
                replicas = replica.errors_occurred or errors_before
                if not replicas or (state is not None and state.wrote and not wrote_before):
                    raise
                failure = error
                if queued is not None:
                    del queued[queued_before:]
        status = replica_status(alias, fresh=True)
        logger.warning(
            "Replica %s failed during %s (%s, now %s): read again on the primary.",
            alias,
            request.path,
            type(failure).__name__,
            status.value,
        )
        return _rendered(view(request, *args, **kwargs))

    return wrapped  # type: ignore[return-value]


def note_write(model: type[Model]) -> None:
    """Called by the router for every write: after a write of data, the request reads the primary
    and its author will be pinned; a bookkeeping write changes neither (unless the method writes)."""
    state = _request.get()
    if state is None:
        return
    if model._meta.label_lower in BOOKKEEPING_MODELS:
        state.kept_books = True
    else:
        state.wrote = True


class ReplicaRouter:
    """DATABASE_ROUTERS: reads on the primary except inside `replica_reads()` (and not even there when
    the primary must be read); writes always on the primary; replicas are never migrated."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        alias = _replica.get()
        if alias is None or alias == PRIMARY or _must_read_primary():
            return PRIMARY
        return alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        note_write(model)
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # every alias holds the same rows

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY
