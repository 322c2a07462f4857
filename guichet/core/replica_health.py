"""Whether each read replica can be read (decision 0055): in step, lagging behind the primary by
more than GUICHET_REPLICA_MAX_LAG_SECONDS, or unreachable. Measured at most every
GUICHET_REPLICA_CHECK_SECONDS by each process (what one node reaches, another may not), and
remembered in between, so that a list costs no extra query."""

import logging
import time

from django.conf import settings
from django.db import connections
from django.db.models import TextChoices
from django.db.utils import DatabaseError

logger = logging.getLogger(__name__)


class ReplicaStatus(TextChoices):
    OK = "ok", "à jour"
    LAGGING = "en_retard", "en retard sur la base principale"
    DOWN = "injoignable", "injoignable"


# How far the replica's replay is behind what it received (seconds); 0 when it replayed everything
# it received, as an idle primary sends nothing (the last replayed transaction's time would grow
# while nothing is missing). A replica that no longer receives anything is not seen as late here:
# the primary's pg_stat_replication shows it (docs/operations.md).
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
END
"""

# alias → (when measured, time.monotonic(); status; lag in seconds, None when unreachable)
_measured: dict[str, tuple[float, ReplicaStatus, float | None]] = {}


def replica_lag(alias: str) -> float:
    """The replica's delay in seconds (0 on a database that is not a replica: the tests' mirror)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
        cursor.execute("SELECT 1")
    return 0.0


def _measure(alias: str, *, before: ReplicaStatus | None) -> tuple[ReplicaStatus, float | None]:
    """The replica's status now; a warning when it stops being usable (once, not at every check)."""
    try:
        lag = replica_lag(alias)
    except DatabaseError as error:
        if before != ReplicaStatus.DOWN:
            logger.warning("Replica %s unreachable (%s): its reads go to the primary.", alias, type(error).__name__)
        connections[alias].close()  # a new connection is tried at the next check
        return ReplicaStatus.DOWN, None
    if lag > settings.GUICHET_REPLICA_MAX_LAG_SECONDS:
        if before != ReplicaStatus.LAGGING:
            logger.warning("Replica %s is %.1f s behind: its reads go to the primary.", alias, lag)
        return ReplicaStatus.LAGGING, lag
    if before not in (None, ReplicaStatus.OK):
        logger.info("Replica %s is in step again.", alias)
    return ReplicaStatus.OK, lag


def replica_status(alias: str, *, fresh: bool = False) -> ReplicaStatus:
    """The replica's last known status, measured again when older than the check interval (or `fresh`)."""
    now = time.monotonic()
    known = _measured.get(alias)
    if known is not None and not fresh and now - known[0] < settings.GUICHET_REPLICA_CHECK_SECONDS:
        return known[1]
    status, lag = _measure(alias, before=known[1] if known is not None else None)
    _measured[alias] = (now, status, lag)
    return status


def replica_statuses_forget() -> None:
    """Forget every measure (tests; a configuration changed)."""
    _measured.clear()


def replicas_report() -> dict[str, dict]:
    """Each configured replica's status measured now, and its lag in seconds (for /sante/pret)."""
    report = {}
    for alias in settings.GUICHET_REPLICA_ALIASES:
        status = replica_status(alias, fresh=True)
        lag = _measured[alias][2]
        report[alias] = {"statut": status.value} | ({"retard_secondes": round(lag, 1)} if lag is not None else {})
    return report


def primary_position() -> str | None:
    """The primary's write-ahead log position now (None off PostgreSQL): a replica that replayed it
    holds every transaction committed before."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def replica_replayed(alias: str, position: str | None) -> bool:
    """Whether the replica replayed the primary's log up to `position` (a database that is not in
    recovery, the tests' mirror, holds everything); False when it cannot be read."""
    connection = connections[alias]
    if position is None or connection.vendor != "postgresql":
        return True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        connection.close()
        return False
