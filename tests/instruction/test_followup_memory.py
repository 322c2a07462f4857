"""A worker (and the resume loop) runs follow-up chains for days in one process: what a chain made
(its act laid out by WeasyPrint, sealed by pyHanko, its email) must not stay in memory after it.
The soak (bench/soak.py) saw each worker grow from ~295 MB to ~1,200 MB in 20 minutes: every
sealed act's pyHanko writer, with its parsed PDF and the stamp's font glyphs, was kept by a cache
keyed by the writer (documents/seal.py). Counted here, not timed: after a few chains to warm the
process's caches up, more chains leave no more objects behind."""

import gc
import logging
import tracemalloc

import pytest
from django.core import mail
from django.core.files.storage import FileSystemStorage
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from guichet.documents.models import Act, ActStatus
from guichet.dossiers.services import dossier_submit
from guichet.instruction.models import FollowUpStep
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

# Committed for real, as in a worker: on_commit runs at once (a test's transaction would keep every
# callback, and what it holds, until its end).
pytestmark = pytest.mark.django_db(transaction=True)

WARM_UP = 3
CHAINS = 10
# Before the fix each chain left ~1,300 objects (~390 KB) behind. After it, the object count is flat
# and what tracemalloc still sees (~150 KB over 12 chains) is bounded caches filling up: cffi's
# parsed C types, Django's compiled SQL, urllib's parsed URLs.
OBJECTS_LEFT_PER_CHAIN = 30
BYTES_LEFT_PER_CHAIN = 40_000


def _writers_alive() -> int:
    return sum(1 for thing in gc.get_objects() if isinstance(thing, BasePdfFileWriter))


@pytest.fixture
def acts_on_disk(tmp_path, monkeypatch):
    """The acts kept on disk (the tests' settings keep files in memory, which would grow with
    every act made: the very thing measured)."""
    monkeypatch.setattr(Act._meta.get_field("pdf"), "storage", FileSystemStorage(location=tmp_path))


def test_many_follow_up_chains_in_one_process_leave_nothing_behind(acts_on_disk):
    procedure = ProcedureFactory()
    instructor_of(procedure)

    def chains(count: int) -> list[int]:
        filed = []
        for _ in range(count):
            dossier = DossierFactory(procedure=procedure)
            dossier_submit(actor=dossier.applicant, dossier=dossier)  # the chain runs once committed
            mail.outbox.clear()  # the tests' mailbox keeps every email: not the worker's memory
            filed.append(dossier.pk)
        return filed

    # pytest keeps every log record of a test for its report: not the worker's memory either.
    logging.disable(logging.INFO)
    try:
        chains(WARM_UP)
        gc.collect()
        objects_before = len(gc.get_objects())
        tracemalloc.start()
        filed = chains(CHAINS)
        gc.collect()
        bytes_left = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        logging.disable(logging.NOTSET)
    objects_left = len(gc.get_objects()) - objects_before

    # The chains did run: each dossier's receipt issued and sealed, every step done.
    steps = FollowUpStep.objects.filter(transition__dossier__in=filed)
    assert steps.count() >= 5 * CHAINS and set(steps.values_list("status", flat=True)) == {FollowUpStep.Status.DONE}
    receipts = Act.objects.filter(dossier__in=filed, status=ActStatus.ISSUED)
    assert receipts.count() == CHAINS and all(act.pdf.size > 0 for act in receipts)
    # And left nothing behind: no pyHanko writer alive, no growth with the number of chains.
    assert _writers_alive() == 0
    assert objects_left < OBJECTS_LEFT_PER_CHAIN * CHAINS, objects_left
    assert bytes_left < BYTES_LEFT_PER_CHAIN * CHAINS, bytes_left
