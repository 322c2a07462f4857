"""What the soak's workers still have to do, read from the cluster's database by the soak itself
(bench/soak.py) while the nodes run: the follow-up steps not finished (pending or running) and the
chains finished, as plain SQL over a DB-API cursor (psycopg's in the soak, Django's in
tests/bench/test_soak_backlog.py, which checks these queries against the models).

The soak files only dossiers (no instructor acts on them): one chain per dossier, its filing's.
A chain is finished when none of its steps is pending or running (done, failed or skipped)."""

import time
from collections.abc import Callable
from dataclasses import dataclass

# instruction.FollowUpStep's table and its unfinished statuses (checked by the test).
STEPS_TABLE = "instruction_followupstep"
UNFINISHED = ("pending", "running")
# Waiting longer than this for the workers to finish their backlog: something is stuck.
DRAIN_SECONDS = 600
DRAIN_POLL_SECONDS = 2.0

_UNFINISHED_SQL = ", ".join(f"'{status}'" for status in UNFINISHED)
_BACKLOG = f"SELECT COUNT(*), COUNT(DISTINCT transition_id) FROM {STEPS_TABLE} WHERE status IN ({_UNFINISHED_SQL})"  # noqa: S608
_FINISHED = (
    f"SELECT COUNT(*) FROM (SELECT transition_id FROM {STEPS_TABLE} GROUP BY transition_id "  # noqa: S608
    f"HAVING SUM(CASE WHEN status IN ({_UNFINISHED_SQL}) THEN 1 ELSE 0 END) = 0) AS finished"
)


@dataclass(frozen=True)
class Backlog:
    steps: int  # follow-up steps pending or running
    chains: int  # chains (dossiers) with such a step

    def __str__(self) -> str:
        return f"{self.steps} follow-up steps pending or running, in {self.chains} chains"


def backlog_read(cursor) -> Backlog:
    cursor.execute(_BACKLOG)
    steps, chains = cursor.fetchone()
    return Backlog(steps=steps, chains=chains)


def chains_finished(cursor) -> int:
    """How many chains have all their steps finished (the dossiers settled, in the soak)."""
    cursor.execute(_FINISHED)
    return cursor.fetchone()[0]


@dataclass(frozen=True)
class Drain:
    at_start: Backlog  # the backlog when the wait began (a phase's end)
    seconds: float  # until no step was pending or running, or the deadline
    left: Backlog  # what was still there then (nothing when drained)
    chains: int  # the chains finished meanwhile

    @property
    def drained(self) -> bool:
        return self.left.steps == 0

    @property
    def chains_per_second(self) -> float:
        return self.chains / self.seconds if self.seconds else 0.0


def drain_wait(
    cursor, *, deadline_seconds: float = DRAIN_SECONDS, pause: Callable[[float], None] = time.sleep
) -> Drain:
    """Wait until no follow-up step is pending or running, at most `deadline_seconds`."""
    started = time.monotonic()
    finished_before = chains_finished(cursor)
    left = at_start = backlog_read(cursor)
    while left.steps and time.monotonic() - started < deadline_seconds:
        pause(DRAIN_POLL_SECONDS)
        left = backlog_read(cursor)
    seconds = time.monotonic() - started
    return Drain(at_start=at_start, seconds=seconds, left=left, chains=chains_finished(cursor) - finished_before)
