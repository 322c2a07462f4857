"""The tamper-evident audit trail: every write service records one event through `audit_record`."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

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


def _hash_of(event: AuditEvent) -> str:
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


@transaction.atomic(savepoint=False)  # inside the caller's transaction: no savepoint to pay for
def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit chain, inside the caller's transaction.

    `actor` is the user who acted, or None when the platform acted by itself (a deadline, a
    scheduled task). Call it last in a service: it locks the chain's head until the commit."""
    seq, prev_hash = _head_advance()
    event = AuditEvent(
        seq=seq,
        occurred_at=timezone.now(),
        actor=actor,
        actor_label=actor.email if actor is not None else "Guichet (automatique)",
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        details=_normalise(details),
        prev_hash=prev_hash,
    )
    event.hash = _hash_of(event)
    event.save()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_HEAD} SET hash = %s WHERE id = 1", [event.hash])  # noqa: S608 (a constant)
    return event


_HEAD = AuditChainHead._meta.db_table


def _head_advance() -> tuple[int, str]:
    """Lock the chain's head until the commit and take the next rank, in one statement: the new
    rank and the hash of the event before it."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_HEAD} SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")  # noqa: S608
        row = cursor.fetchone()
    if row is None:  # the very first event
        AuditChainHead.objects.get_or_create(pk=1)
        return _head_advance()
    return row[0], row[1]


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"événement n°{self.seq}" + (f" (id {self.event_id})" if self.event_id else "")
        return f"{where} : {self.reason}"


def _events_in_order(chunk_size: int = 2000) -> Iterator[AuditEvent]:
    yield from AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)


def audit_verify() -> tuple[int, ChainBreak | None]:
    """Check the whole chain. Returns how many events were checked and the first break, if any."""
    expected_seq, prev = 1, GENESIS_HASH
    checked = 0
    for event in _events_in_order():
        if event.seq != expected_seq:
            return checked, ChainBreak(
                event.seq, event.id, f"l’événement n°{expected_seq} qui le précède a été supprimé"
            )
        if event.prev_hash != prev:
            return checked, ChainBreak(event.seq, event.id, "son lien vers l’événement précédent a été modifié")
        if _hash_of(event) != event.hash:
            return checked, ChainBreak(event.seq, event.id, "son contenu a été modifié après son enregistrement")
        checked += 1
        expected_seq, prev = event.seq + 1, event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev):
        return checked, ChainBreak(
            head.seq, None, f"la chaîne s’arrête à l’événement n°{expected_seq - 1} : la fin a été supprimée"
        )
    return checked, None
