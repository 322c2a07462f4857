"""Events become webhook messages: one WebhookMessage per event (its stable id), and one delivery
per active subscription that matches it (the procedure's organisation or one above it, the
procedure if the subscription names one, the event among those it chose), written in one
transaction. Emitting the same event again (a retried step, a chain run twice) finds the message by
its `source` and writes nothing: each event is told once.

Payloads are thin (Standard Webhooks' advice): ids, the dossier's API address, states; never an
answer, a name or a message's text: the receiver reads them through the API with its own rights."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from guichet.core.task_queue import task_enqueue_after_commit
from guichet.documents.models import Act, ActStatus
from guichet.dossiers.models import Dossier, Message, TransitionLog, TransitionName

from .delivery import webhook_deliveries_task
from .models import WebhookDelivery, WebhookEvent, WebhookMessage, WebhookSubscription

# What each transition tells, besides dossier.state_changed whenever the state changes.
TRANSITION_EVENTS: dict[str, WebhookEvent] = {
    TransitionName.SUBMIT: WebhookEvent.DOSSIER_SUBMITTED,
    TransitionName.REQUEST_CORRECTION: WebhookEvent.DOSSIER_CORRECTIONS_REQUESTED,
    TransitionName.SUBMIT_CORRECTIONS: WebhookEvent.DOSSIER_CORRECTIONS_SUBMITTED,
}


@dataclass(frozen=True)
class Emitted:
    msg_id: str
    deliveries: list[int]


def message_id_new() -> str:
    return f"msg_{uuid.uuid4().hex}"


def dossier_api_url(dossier_id: int) -> str:
    return f"{settings.GUICHET_SITE_URL}/api/v1/dossiers/{dossier_id}"


def _dossier_data(dossier: Dossier) -> dict:
    procedure = dossier.procedure
    return {
        "dossier": {"id": dossier.pk, "number": dossier.number, "url": dossier_api_url(dossier.pk)},
        "procedure": {"id": procedure.pk, "slug": procedure.slug},
    }


def subscriptions_matching(*, dossier: Dossier, event: str) -> list[WebhookSubscription]:
    """The active subscriptions told of `event` on `dossier`: its procedure's organisation's or an
    upper one's, on every procedure or on this one."""
    organisation = dossier.procedure.organisation
    organisation_ids = [organisation.pk, *(upper.pk for upper in organisation.ancestors())]
    candidates = WebhookSubscription.objects.filter(
        Q(procedure__isnull=True) | Q(procedure_id=dossier.procedure_id),
        organisation_id__in=organisation_ids,
        active=True,
    )
    # Filtered here rather than with a JSON lookup: `contains` on a JSON list differs between
    # SQLite and PostgreSQL, and an organisation has a handful of subscriptions.
    return [subscription for subscription in candidates if event in subscription.events]


def webhook_emit(*, event: WebhookEvent, dossier: Dossier, source: str, data: dict, at: datetime) -> Emitted | None:
    """Tell `event` to the subscriptions that match it, once per `source`; None when none matches
    (nothing is written) or when it was told already."""
    if WebhookMessage.objects.filter(source=source).exists():
        return None
    subscriptions = subscriptions_matching(dossier=dossier, event=event)
    if not subscriptions:
        return None
    payload = {"type": str(event), "timestamp": at.astimezone(UTC).isoformat(), "data": data}
    now = timezone.now()
    try:
        with transaction.atomic():
            message = WebhookMessage.objects.create(
                msg_id=message_id_new(),
                source=source,
                event=event,
                organisation_id=dossier.procedure.organisation_id,
                dossier_id=dossier.pk,
                payload=payload,
                created_at=at,
            )
            deliveries = WebhookDelivery.objects.bulk_create(
                WebhookDelivery(message=message, subscription=subscription, next_attempt_at=now)
                for subscription in subscriptions
            )
    except IntegrityError:  # emitted at the same moment by another worker
        return None
    ids = [delivery.pk for delivery in deliveries]
    _deliver_on_commit(ids)
    return Emitted(msg_id=message.msg_id, deliveries=ids)


def _deliver_on_commit(delivery_ids: list[int]) -> None:
    """Low latency: the worker sends them as soon as the emission commits (the delivery loop takes
    them up anyway if this task is lost)."""
    task_enqueue_after_commit(webhook_deliveries_task, delivery_ids=delivery_ids)


def events_of_transition(log: TransitionLog) -> list[tuple[WebhookEvent, dict]]:
    """What the transition `log` tells: its own event, if it has one, and the change of state."""
    base = _dossier_data(log.dossier)
    change = {"transition": log.transition, "from": log.from_state, "to": log.to_state}
    events = []
    if (own := TRANSITION_EVENTS.get(log.transition)) is not None:
        events.append((own, {**base, **change}))
    if log.from_state != log.to_state:
        events.append((WebhookEvent.DOSSIER_STATE_CHANGED, {**base, **change}))
    return events


def webhooks_emit_for_transition(*, log: TransitionLog) -> list[str]:
    """The follow-up chain's step: tell the transition's events, and the act it issued once
    issued. Returns the ids of the messages it emitted now (none when repeated)."""
    emitted = []
    for event, data in events_of_transition(log):
        done = webhook_emit(
            event=event, dossier=log.dossier, source=f"transition:{log.pk}:{event}", data=data, at=log.at
        )
        if done is not None:
            emitted.append(done.msg_id)
    for act in Act.objects.filter(transition=log, status=ActStatus.ISSUED):
        done = act_issued_emit(act=act, dossier=log.dossier)
        if done is not None:
            emitted.append(done.msg_id)
    return emitted


def act_issued_emit(*, act: Act, dossier: Dossier) -> Emitted | None:
    data = {**_dossier_data(dossier), "act": {"id": act.pk, "kind": act.kind, "issued_at": _iso(act.issued_at)}}
    at = act.issued_at or timezone.now()
    return webhook_emit(event=WebhookEvent.ACT_ISSUED, dossier=dossier, source=f"act:{act.pk}", data=data, at=at)


def message_received_emit(*, message: Message) -> Emitted | None:
    """A message written on a dossier (by its applicant or an instructor): its id and its author's
    role, never its text. Called in the message's own transaction: both commit, or neither."""
    data = {
        **_dossier_data(message.dossier),
        "message": {
            "id": message.pk,
            "author_role": message.author_role,
            "attachments": message.attachments.count(),
        },
    }
    return webhook_emit(
        event=WebhookEvent.DOSSIER_MESSAGE_RECEIVED,
        dossier=message.dossier,
        source=f"message:{message.pk}",
        data=data,
        at=message.created_at,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None
