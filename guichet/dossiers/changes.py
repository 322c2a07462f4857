"""The changes feed of filed dossiers: every write that changes what the API shows of a dossier calls
`dossier_changed` in its own transaction, and a client that syncs reads the changes after its cursor
with `dossier_changes_after`, in a strict total order in which no change committed later can ever
come before the cursor it was given (docs/decisions/0028-changes-cursor.md).

Ids are handed out when a row is written, not when it commits: a transaction still running may
commit a row with a lower id than rows already read, and a client following ids would miss it. So a
change's place in the feed (`seq`) is given after it committed: before reading, the reader places
the changes committed since the last reading, one reader at a time (the counter's row lock), each
after every change placed before. A change committed later is placed later, after every cursor
given out before.

The feed keeps GUICHET_API_CHANGES_RETENTION_DAYS of changes (`dossier_changes_prune`, in the files'
hourly loop); a cursor older than what is kept is refused (`CursorExpired`): its client may have
missed a pruned change, and starts again from a full list."""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Case, Max, QuerySet, Value, When

from guichet.core.models import Sequence
from guichet.core.prepared_writes import row_insert

from .models import Dossier, DossierChange, DossierState

# The counter of the feed's places (core.Sequence), whose row lock lets one reader place at a time.
FEED_COUNTER = "dossier_changes"
# How many changes one reading places at most: a backlog (nobody read for a long while) is placed
# over the next readings, the feed telling its clients that more is coming.
PLACE_BATCH = 2_000
# The place of the last change pruned (core.Sequence): a cursor before it may have missed one.
PRUNED_COUNTER = "dossier_changes_pruned"


class CursorExpired(Exception):
    """The cursor is older than the changes the feed keeps. `resume` is the place of the feed's end
    when it was found out: a client lists every dossier, then follows the feed from there."""

    def __init__(self, resume: int, *, unknown: bool = False):
        super().__init__(resume)
        self.resume = resume
        # Beyond the feed's end rather than before what it keeps: a cursor it never gave (a database
        # restored from a backup older than the cursor). Followed, it would skip changes silently.
        self.unknown = unknown


def dossier_changed(dossier: Dossier) -> None:
    """Record that a filed dossier changed, for the changes feed. Call it inside the transaction of
    the change, so that the row commits (or rolls back) with it: a change is never announced that
    did not happen, nor lost. Drafts are their applicant's alone: nothing is recorded for them."""
    if dossier.state == DossierState.DRAFT:
        return
    row_insert(DossierChange(dossier_id=dossier.pk))


@transaction.atomic
def dossier_changes_place(*, batch: int = PLACE_BATCH) -> bool:
    """Give their place in the feed to the changes committed and not yet placed (at most `batch`),
    in the order of their ids, after every change already placed. Returns whether some are left.

    The counter's row stays locked until this transaction commits: places are given by one reader
    at a time, and a reader that reads after it sees all of them or, while it runs, none."""
    counter, _ = Sequence.objects.select_for_update().get_or_create(name=FEED_COUNTER)
    # Read once the lock is held: what a reader placed before is committed and excluded here.
    waiting = DossierChange.objects.filter(seq__isnull=True).order_by("id")
    unplaced = list(waiting.values_list("id", flat=True)[: batch + 1])
    if not unplaced:
        return False
    placed = unplaced[:batch]
    first = counter.last_value + 1
    places = [When(pk=pk, then=Value(first + rank)) for rank, pk in enumerate(placed)]
    DossierChange.objects.filter(pk__in=placed).update(seq=Case(*places, output_field=BigIntegerField()))
    counter.last_value = first + len(placed) - 1
    counter.save(update_fields=["last_value"])
    return len(unplaced) > batch


def cursor_of(seq: int) -> str:
    """The opaque text a client gives back to continue after the change placed `seq`."""
    return base64.urlsafe_b64encode(f"v1.{seq}".encode()).decode().rstrip("=")


def cursor_read(cursor: str) -> int | None:
    """The place a cursor names, or None when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        version, seq = text.split(".")
        value = int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if version != "v1" or value < 0 or str(value) != seq:
        return None
    return value


@dataclass(frozen=True)
class ChangesPage:
    changes: list[DossierChange]  # in the feed's order
    seq: int  # where the next page starts: every change up to it was read
    more: bool  # whether more changes are ready to be read at once


def _counter(name: str) -> int:
    return Sequence.objects.filter(name=name).values_list("last_value", flat=True).first() or 0


def dossier_changes_after(
    seq: int, *, dossiers: QuerySet[Dossier], limit: int, from_start: bool = False
) -> ChangesPage:
    """The changes placed after `seq` of the dossiers of `dossiers` (those the reader may see), at
    most `limit`, in the feed's order; the changes committed since the last reading are placed
    first. Once caught up, the page's place moves past the other readers' changes too, so that a
    client never reads them again. CursorExpired when changes after `seq` were pruned, unless
    `from_start` (a client with no cursor yet, which reads what is kept), or when `seq` lies beyond
    the feed's end."""
    backlog = dossier_changes_place()
    # Read after the placing committed, so that the last place is that of a committed change.
    last = _counter(FEED_COUNTER)
    if seq > last:
        raise CursorExpired(last, unknown=True)
    rows = list(
        DossierChange.objects.filter(seq__gt=seq, seq__lte=last)
        .filter(dossier__in=dossiers.order_by().values("pk"))
        .order_by("seq")[: limit + 1]
    )
    # Read after the rows: a pruning that committed before they were read is seen here.
    if not from_start and seq < _counter(PRUNED_COUNTER):
        raise CursorExpired(last)
    if len(rows) > limit:
        return ChangesPage(rows[:limit], rows[limit - 1].seq, more=True)
    return ChangesPage(rows, max(seq, last), more=backlog)


@transaction.atomic
def dossier_changes_prune(*, now: datetime) -> int:
    """Delete the placed changes older than GUICHET_API_CHANGES_RETENTION_DAYS (and every change
    placed before them), and remember the last place deleted, so that a cursor before it is refused
    rather than silently missing them. Returns how many were deleted. The platform acts: the rows
    are not personal data and their pruning changes nothing a person sees, hence no audit event."""
    cutoff = now - timedelta(days=settings.GUICHET_API_CHANGES_RETENTION_DAYS)
    # Under the counter's lock: no reader places changes meanwhile.
    Sequence.objects.select_for_update().get_or_create(name=FEED_COUNTER)
    horizon = DossierChange.objects.filter(seq__isnull=False, at__lt=cutoff).aggregate(last=Max("seq"))["last"]
    if horizon is None:
        return 0
    deleted, _ = DossierChange.objects.filter(seq__lte=horizon).delete()
    pruned, _ = Sequence.objects.select_for_update().get_or_create(name=PRUNED_COUNTER)
    pruned.last_value = max(pruned.last_value, horizon)
    pruned.save(update_fields=["last_value"])
    return deleted
