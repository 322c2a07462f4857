"""Periodic loops on several nodes: one node at a time does a loop's round (a lock across nodes,
held by the database session), and SIGTERM lets the round in hand finish before the loop stops."""

import os
import signal
import time
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from guichet.core.locks import _key, node_lock
from guichet.core.management.loop import LoopCommand

pytestmark = pytest.mark.django_db(transaction=True)


class Rounds(LoopCommand):
    def __init__(self, round_):
        super().__init__()
        self.round = round_


def test_sigterm_lets_the_round_in_hand_finish_then_stops_the_loop():
    done = []

    def round_():
        os.kill(os.getpid(), signal.SIGTERM)  # as the node is being stopped, mid-round
        done.append("round finished")

    handler = signal.getsignal(signal.SIGTERM)
    command = Rounds(round_)
    command.loop(3600, round_, started="", failed="")  # returns instead of sleeping an hour
    assert done == ["round finished"]
    assert signal.getsignal(signal.SIGTERM) is handler  # the process's own handling is back


def _other_node():
    """A second database session, as another node's."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip


def test_one_node_at_a_time_does_a_loops_round():
    """On PostgreSQL (production, and the suite's second run); SQLite serves one machine only."""
    rounds = []
    command = Rounds(lambda: rounds.append(1))
    if connection.vendor != "postgresql":  # one machine only: always granted
        with node_lock(command.lock_name) as held:
            assert held
        return
    other = _other_node()
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [_key(command.lock_name)])
        with node_lock(command.lock_name) as held:
            assert not held  # the other node is doing it: this one skips its turn
        other.execute("SELECT pg_advisory_unlock(%s)", [_key(command.lock_name)])
        with node_lock(command.lock_name) as held:
            assert held
            # ...and while this node holds it, the other cannot take it.
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [_key(command.lock_name)]).fetchone()[0] is False
        other.execute("SELECT pg_advisory_lock(%s)", [_key("loop:essai")])
    finally:
        other.close()  # a node that dies: its session goes, and its locks with it
    assert _taken_within("loop:essai", seconds=10)


def _taken_within(name: str, *, seconds: float) -> bool:
    """Whether this process gets the lock within `seconds` (the server ends a closed session's
    backend, and lets go of its locks, a moment after the client went)."""
    deadline = time.monotonic() + seconds
    while True:
        with node_lock(name) as held:
            if held or time.monotonic() > deadline:
                return held
        time.sleep(0.05)


def test_a_single_round_run_by_a_timer_is_skipped_while_another_node_does_it():
    """`manage.py <loop>` without --every (a systemd timer or cron on each node) takes the same lock
    as the loops' rounds: never two nodes at once."""
    rounds = []
    command = Rounds(lambda: rounds.append(1))
    if connection.vendor != "postgresql":  # one machine only: always granted
        call_command(command)
        assert rounds == [1]
        return
    other = _other_node()
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [_key(command.lock_name)])
        out = StringIO()
        call_command(command, stdout=out)
        assert rounds == [] and "Un autre nœud fait ce tour" in out.getvalue()
        other.execute("SELECT pg_advisory_unlock(%s)", [_key(command.lock_name)])
        call_command(command)
        assert rounds == [1]
        # ...and the lock is let go after the round.
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [_key(command.lock_name)]).fetchone()[0] is True
    finally:
        other.close()
