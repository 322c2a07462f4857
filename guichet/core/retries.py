"""Rows that a worker loop moves on one step at a time (an invoice's deposit with Chorus Pro, a
dossier's transfer to the archival system): each has `attempts`, `last_error` and
`next_attempt_at`. A worker takes a due row for a lease's time, so that two workers never work on
the same row, and a failed step is tried again after a doubling backoff."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone


@dataclass(frozen=True)
class RetryPolicy:
    """Wait `first` after the first failure, twice as long after each next one, never beyond `last`."""

    first: timedelta
    last: timedelta

    def backoff(self, attempts: int) -> timedelta:
        return min(self.first * 2 ** max(attempts - 1, 0), self.last)

    def failed(self, row: models.Model, message: str, *, retry: bool) -> None:
        """Record a failed step on `row`: tried again after the backoff, or left for a person
        (retry=False)."""
        attempts = row.attempts + 1
        when = timezone.now() + self.backoff(attempts) if retry else None
        type(row).objects.filter(pk=row.pk).update(attempts=attempts, last_error=message, next_attempt_at=when)
        row.attempts, row.last_error, row.next_attempt_at = attempts, message, when


def due_ids(rows: models.QuerySet, *, now: datetime, limit: int) -> list[int]:
    """The ids of `rows` whose next attempt has come, the longest waiting first."""
    return list(
        rows.filter(next_attempt_at__lte=now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )


def claim(rows: models.QuerySet, pk: int, *, now: datetime, lease: timedelta) -> bool:
    """Take row `pk` of `rows` for `lease` when it is due and no other worker holds it; the lease
    runs from now, not from the batch's start."""
    return bool(rows.filter(pk=pk, next_attempt_at__lte=now).update(next_attempt_at=timezone.now() + lease))
