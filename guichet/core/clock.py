"""Today's date as the rules see it. Real use reads the clock; the demo data, filed "in the past",
sets the day it pretends to be with `clock_set`, instead of passing dates through services."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.utils import timezone

_today: ContextVar[date | None] = ContextVar("guichet_today", default=None)


def today() -> date:
    return _today.get() or timezone.localdate()


@contextmanager
def clock_set(day: date) -> Iterator[None]:
    """Within the block, `today()` is `day` (for this thread or task only)."""
    token = _today.set(day)
    try:
        yield
    finally:
        _today.reset(token)
