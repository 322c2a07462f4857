"""The soak reads the workers' backlog with its own SQL (bench/soak_backlog.py): the queries are
run here on the test database, against steps written by the application."""

import pytest
from django.db import connection

from bench.soak_backlog import STEPS_TABLE, UNFINISHED, Backlog, backlog_read, chains_finished, drain_wait
from guichet.instruction.models import FollowUpStep
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db
Status = FollowUpStep.Status


def test_the_soak_reads_the_steps_table_of_the_application():
    assert STEPS_TABLE == FollowUpStep._meta.db_table
    assert set(UNFINISHED) == {Status.PENDING, Status.RUNNING}


def test_a_chain_counts_as_finished_once_none_of_its_steps_is_pending_or_running():
    first, second = DossierFactory(target_state="submitted"), DossierFactory(target_state="submitted")
    steps = FollowUpStep.objects.filter(transition__dossier=first).order_by("position")
    per_chain = steps.count()
    with connection.cursor() as cursor:
        # Filed, their chains not run yet (a test's transaction never commits: no worker ran them).
        assert per_chain >= 3 and backlog_read(cursor) == Backlog(steps=2 * per_chain, chains=2)
        assert chains_finished(cursor) == 0
        # The first one run but its last step, held by a worker: not finished yet.
        steps.update(status=Status.DONE)
        FollowUpStep.objects.filter(pk=steps.last().pk).update(status=Status.RUNNING)
        assert backlog_read(cursor) == Backlog(steps=per_chain + 1, chains=2)
        assert chains_finished(cursor) == 0
        # Given up or skipped is finished too: nothing more will happen.
        FollowUpStep.objects.filter(pk=steps.last().pk).update(status=Status.FAILED)
        FollowUpStep.objects.filter(pk=steps.first().pk).update(status=Status.SKIPPED)
        assert backlog_read(cursor) == Backlog(steps=per_chain, chains=1)
        assert chains_finished(cursor) == 1
        assert FollowUpStep.objects.filter(transition__dossier=second, status=Status.PENDING).count() == per_chain


def test_the_drain_waits_for_the_workers_or_its_deadline():
    DossierFactory(target_state="submitted")
    DossierFactory(target_state="submitted")
    pending = FollowUpStep.objects.filter(status=Status.PENDING)
    rounds = []

    def a_worker_finishes_one_chain(seconds: float) -> None:
        rounds.append(seconds)
        step = pending.first()
        FollowUpStep.objects.filter(transition_id=step.transition_id).update(status=Status.DONE)

    with connection.cursor() as cursor:
        stuck = drain_wait(cursor, deadline_seconds=0, pause=a_worker_finishes_one_chain)
        assert not stuck.drained and stuck.left.chains == 2 and stuck.chains == 0 and rounds == []
        assert stuck.at_start == stuck.left

        drained = drain_wait(cursor, deadline_seconds=60, pause=a_worker_finishes_one_chain)
    assert drained.at_start.chains == 2 and drained.drained and drained.left == Backlog(steps=0, chains=0)
    assert drained.chains == 2 and len(rounds) == 2 and not pending.exists()
