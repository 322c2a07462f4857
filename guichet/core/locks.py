"""Locks that hold across machines: what several nodes must not do at the same time (a periodic
loop's round) takes a PostgreSQL advisory lock, held by the database session, so that a node that
dies lets go of it with its connection (docs/operations.md). SQLite serves one machine only: there
the lock is always granted."""

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)


def _key(name: str) -> int:
    """A signed 64-bit key for `name`, the same on every node."""
    return int.from_bytes(hashlib.sha256(f"guichet:{name}".encode()).digest()[:8], "big", signed=True)


def lock_hold(name: str) -> None:
    """Wait for the lock `name` and hold it until `lock_let_go`, or until this process's database
    session ends (PostgreSQL only: elsewhere, nothing is held)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_key(name)])


def lock_let_go(name: str) -> None:
    """Let go of a lock taken by `lock_hold` (nothing when the session that held it is gone)."""
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(name)])
    except DatabaseError as error:  # the connection broke: the lock went with its session
        logger.warning("Verrou %s : libération impossible (%s)", name, error)


@contextmanager
def node_lock(name: str) -> Iterator[bool]:
    """Yield whether this process holds the lock `name` (never waits: another node holds it, and
    does the work); released at the end of the block."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = _key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            lock_let_go(name)
