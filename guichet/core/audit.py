"""The tamper-evident audit trail: every write service records one event through `audit_record`."""

import hashlib
import json
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditAction, AuditChainHead, AuditEvent
from .prepared_writes import row_insert

GENESIS_HASH = "0" * 64


def _normalise(details: dict[str, Any] | None) -> dict[str, Any]:
    # Stored exactly as it will be read back, so that the hash computed now matches the one
    # recomputed later from the database (dates become strings, tuples lists...).
    return json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))


def event_hash(
    *,
    seq: int,
    occurred_at,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_hash_of(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        details=event.details,
        prev_hash=event.prev_hash,
    )


def audit_record(
    *,
    actor,
    action: AuditAction,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the audit trail, inside the caller's transaction.

    `actor` is the user who acted, or None when the platform acted by itself (a deadline, a
    scheduled task) or when no person did (an API service account).
    `actor_label` names who acted; by default the actor's email, or « Guichet (automatique) »
    (a service account gives its own name: « Compte de service : X (organisation) »).
    `action` is one of AuditAction's (anything else raises ValueError). The event is one INSERT
    that waits for nothing: it joins the hash chain when
    `audit_seal` runs after its transaction has committed (decision 0001)."""
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor,
        actor_label=(actor_label or (actor.email if actor is not None else "Guichet (automatique)"))[:254],
        action=AuditAction(action),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        details=_normalise(details),
    )
    return row_insert(event)


_HEAD = AuditChainHead._meta.db_table
_EVENTS = AuditEvent._meta.db_table
SEAL_BATCH = 2000


def audit_seal(*, limit: int = SEAL_BATCH) -> int:
    """Chain the events that are not sealed yet: in the order they were added, each gets the next
    rank, the hash of the event before it and its own hash, computed from the row as stored (so
    that `audit_verify` recomputes exactly the same). Returns how many were sealed (at most `limit`).

    The chain's head is locked for the time of one batch, by the sealer only: two sealers at once
    take turns, and an event whose transaction commits late is sealed by the next batch, after the
    events sealed before it."""
    with transaction.atomic():
        seq, prev_hash = _head_locked()
        pending = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:limit])
        if not pending:
            return 0
        rows = []
        for event in pending:
            seq += 1
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = prev_hash = event_hash_of(event)
            rows.append((event.seq, event.prev_hash, event.hash, event.id))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {_EVENTS} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",  # noqa: S608
                rows,
            )
            cursor.execute(f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = 1", [seq, prev_hash])  # noqa: S608
    return len(pending)


def audit_seal_all() -> int:
    """Seal every event committed so far; how many were sealed."""
    sealed = 0
    while count := audit_seal():
        sealed += count
    return sealed


def _head_locked() -> tuple[int, str]:
    """The rank and hash of the chain's last event, its head row locked until the commit."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # the very first seal
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head.seq, head.hash
