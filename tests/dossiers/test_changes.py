"""The changes feed (dossiers/changes.py): every change of a filed dossier is recorded in its own
transaction, and a client reading the feed after its cursor never misses one, even while other
transactions write (docs/decisions/0028-changes-cursor.md)."""

import random
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import Max

from guichet.dossiers.changes import (
    cursor_of,
    cursor_read,
    dossier_changed,
    dossier_changes_after,
    dossier_changes_place,
)
from guichet.dossiers.models import Dossier, DossierChange, TransitionName
from guichet.dossiers.workflow import dossier_transition
from guichet.instruction.services import dossier_assign, dossier_labels_set
from tests.factories import DossierFactory, instructor_of


def max_id(dossier):
    return DossierChange.objects.filter(dossier=dossier).aggregate(Max("id"))["id__max"]


def _feed(seq=0, *, limit=100, dossiers=None):
    return dossier_changes_after(seq, dossiers=dossiers or Dossier.objects.all(), limit=limit)


@pytest.mark.django_db
def test_the_writes_of_a_filed_dossier_are_in_the_feed_and_a_draft_s_are_not():
    draft = DossierFactory()
    dossier = DossierFactory(submitted=True)
    instructor = instructor_of(dossier.procedure)
    dossier_transition(dossier=dossier, name=TransitionName.START_INSTRUCTION, actor=instructor)
    dossier_assign(actor=instructor, dossier=dossier, assignee=instructor)
    dossier_labels_set(actor=instructor, dossier=dossier, names=["urgent"])
    dossier_labels_set(actor=instructor, dossier=dossier, names=["urgent"])  # no change: not recorded

    page = _feed()
    # Filed, instruction started, assignee, label (the receipt is issued after the commit).
    assert [change.dossier_id for change in page.changes] == [dossier.pk] * 4
    assert page.more is False
    assert draft.pk not in {change.dossier_id for change in DossierChange.objects.all()}
    # Caught up: nothing more, and the cursor a client keeps reads back as the same position.
    assert _feed(page.seq).changes == []
    assert cursor_read(cursor_of(page.seq)) == page.seq

    # Pages: the order is strict and a page's position is its last change.
    first = _feed(limit=3)
    assert first.more is True and len(first.changes) == 3
    rest = _feed(first.seq, limit=3)
    assert [c.pk for c in first.changes + rest.changes] == [c.pk for c in page.changes]


@pytest.mark.django_db
def test_a_change_rolled_back_is_never_announced_and_a_reader_sees_only_its_dossiers():
    mine, other = DossierFactory(submitted=True), DossierFactory(submitted=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_changed(mine)
        raise RuntimeError
    page = _feed(dossiers=Dossier.objects.filter(pk=mine.pk))
    assert [change.dossier_id for change in page.changes] == [mine.pk]  # its filing only
    # The position moved past the other dossier's change too: not read again by this reader.
    assert page.seq >= DossierChange.objects.get(dossier=other, seq__isnull=False, id=max_id(other)).seq


@pytest.mark.parametrize("cursor", ["", "nimportequoi", "djEuYQ", "djEuLTE", "djIuMw"])
def test_a_cursor_that_is_not_ours_is_refused(cursor):
    assert cursor_read(cursor) is None


def test_a_backlog_is_placed_over_several_readings(db):
    dossier = DossierFactory(submitted=True)
    for _ in range(5):
        dossier_changed(dossier)
    assert dossier_changes_place(batch=3) is True
    assert dossier_changes_place(batch=3) is False  # 6 changes (filing, five more)
    seqs = list(DossierChange.objects.order_by("id").values_list("seq", flat=True))
    assert seqs == sorted(seqs) and len(set(seqs)) == 6 and None not in seqs


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_during_a_sync_never_make_a_client_miss_a_change():
    """Writers commit in an order that is not the order of their ids (each holds its transaction a
    random while after writing its change; some roll back), while a client pages through the feed
    from the start. Once the writers are done and the client caught up, it read every change
    committed, once each, in a strictly increasing order. Meaningful on PostgreSQL, where writers
    run at the same time; on SQLite they run one after the other."""
    dossiers = [DossierFactory(submitted=True) for _ in range(4)]
    rng = random.Random(18)  # noqa: S311 (durations, not secrets)
    writers_done = threading.Event()
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for round_ in range(25):
                try:
                    with transaction.atomic():
                        dossier_changed(dossiers[(worker + round_) % len(dossiers)])
                        time.sleep(rng.random() / 20)
                        if round_ % 7 == 6:
                            raise LookupError  # rolled back: never in the feed
                except LookupError:
                    pass
        except BaseException as error:  # noqa: BLE001 (reported by the test below)
            errors.append(error)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    already = {change.pk for change in DossierChange.objects.all()}
    for writer in writers:
        writer.start()
    seen: list[DossierChange] = []
    position = 0
    threading.Thread(target=lambda: ([w.join() for w in writers], writers_done.set()), daemon=True).start()
    while True:
        done = writers_done.is_set()
        page = _feed(position, limit=5)
        seen += page.changes
        assert page.seq > position or not page.changes
        position = page.seq
        if done and not page.more:
            break
        time.sleep(0.003)
    assert errors == []
    committed = {change.pk for change in DossierChange.objects.all()}
    assert len(committed - already) == 4 * (25 - 3)  # three rolled back in each writer's 25 rounds
    keys = [change.seq for change in seen]
    assert keys == sorted(set(keys)), "the feed's order is strict: nothing twice, nothing out of order"
    assert {change.pk for change in seen} == committed, "a change committed was missed"
    if connection.vendor == "postgresql":
        # The case that the feed is for: changes committed in another order than their ids'.
        ids = list(DossierChange.objects.order_by("seq").values_list("id", flat=True))
        assert any(later < earlier for earlier, later in zip(ids, ids[1:], strict=False))
