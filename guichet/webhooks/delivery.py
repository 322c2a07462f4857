"""Sending the deliveries: each is taken by one worker at a time (a lease: `next_attempt_at` moved
forward by a conditional UPDATE, like archive transfers), POSTed signed through the webhooks
connector, and its outcome written under a check that the lease is still this worker's.

- 2xx: delivered. Anything else (another status, no answer, a refused address) is tried again
  after 30 s, 1 min, 2 min… (doubled each time, at most 1 h, or what Retry-After asks, at most 1 h)
  for GUICHET_WEBHOOKS_RETRY_HOURS after the event, then abandoned, but for one: while the
  subscription fails without a single success, its oldest undelivered delivery goes on being tried
  (hourly), so that an endpoint that stays dead is found out even if it was sent one event.
- 410 Gone: the subscription is disabled at once. Failing without a single success for
  GUICHET_WEBHOOKS_DISABLE_AFTER_DAYS: disabled too. Either way the organisation's administrators
  get an email, and its deliveries wait (they go on once an administrator enables it again).
- A worker killed mid-delivery loses nothing: its lease ends, another worker sends the delivery
  again, with the same `webhook-id` (the receiver's idempotency key); at least once, never lost.
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from guichet.accounts.models import OrganisationRole, User
from guichet.connectors.base import ConnectorError, ConnectorRejected
from guichet.connectors.registry import connector_for
from guichet.core.audit import audit_record
from guichet.core.emails import email_send_on_commit
from guichet.core.models import AuditAction
from guichet.core.task_queue import task_enqueue_after_commit

from .models import DeliveryStatus, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
DUE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    abandoned: int = 0
    disabled: list[int] = field(default_factory=list)  # subscriptions


def _lease() -> timedelta:
    return timedelta(seconds=settings.GUICHET_WEBHOOKS_LEASE_SECONDS)


def retry_delay(attempts: int, retry_after: int | None = None) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s doubled at each failure, at most an hour; at
    least what the receiver asked (Retry-After), at most an hour too."""
    # The exponent stops growing once past the hour: a probe tried for days would overflow it.
    delay = min(FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 12)), LAST_RETRY)
    if retry_after:
        delay = max(delay, min(timedelta(seconds=retry_after), LAST_RETRY))
    return delay


def message_body(payload: dict) -> bytes:
    """The body, the same bytes at every attempt (and so the same signed content but for the time)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def secrets_of(subscription: WebhookSubscription, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its overlap."""
    secrets = [subscription.secret]
    if subscription.previous_secret and subscription.previous_secret_until and subscription.previous_secret_until > now:
        secrets.append(subscription.previous_secret)
    return secrets


def deliveries_due(*, now: datetime, limit: int) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(status__in=DUE, next_attempt_at__lte=now, subscription__active=True)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _claim(delivery_id: int, now: datetime) -> datetime | None:
    """Take the delivery for the lease's time when it is due and no other worker holds it; returns
    the lease's end (this worker's mark), or None."""
    until = timezone.now() + _lease()
    taken = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=DUE, next_attempt_at__lte=now, subscription__active=True
    ).update(next_attempt_at=until)
    return until if taken else None


def delivery_attempt(*, delivery_id: int, now: datetime | None = None, report: DeliveryReport | None = None) -> bool:
    """Send one delivery if it is due and free; False when another worker has it or it is not due."""
    report = report if report is not None else DeliveryReport()
    now = now or timezone.now()
    lease_until = _claim(delivery_id, now)
    if lease_until is None:
        return False
    delivery = WebhookDelivery.objects.select_related("message", "subscription").get(pk=delivery_id)
    subscription, message = delivery.subscription, delivery.message
    connector = connector_for("webhooks")
    status_code = duration_ms = retry_after = None
    excerpt = error = ""
    try:
        answer = connector.send(
            url=subscription.url,
            msg_id=message.msg_id,
            body=message_body(message.payload),
            secrets=secrets_of(subscription, timezone.now()),
        )
        status_code, duration_ms, excerpt, retry_after = (
            answer.status,
            answer.duration_ms,
            answer.excerpt,
            answer.retry_after,
        )
    except ConnectorRejected as refused:  # the address may not receive it (SSRF guard)
        error = str(refused)[:500]
    except ConnectorError as unavailable:
        error = f"{subscription.url} : {unavailable}"[:500]
    _outcome_record(
        delivery=delivery,
        lease_until=lease_until,
        status_code=status_code,
        duration_ms=duration_ms,
        excerpt=excerpt,
        error=error,
        retry_after=retry_after,
        report=report,
        now=max(now, timezone.now()),
    )
    return True


@transaction.atomic
def _outcome_record(
    *,
    delivery: WebhookDelivery,
    lease_until: datetime,
    status_code: int | None,
    duration_ms: int | None,
    excerpt: str,
    error: str,
    retry_after: int | None,
    report: DeliveryReport,
    now: datetime,
) -> None:
    attempts = delivery.attempts + 1
    fields = {
        "attempts": attempts,
        "last_attempt_at": now,
        "last_status_code": status_code,
        "last_duration_ms": duration_ms,
        "last_response_excerpt": excerpt,
        "last_error": error,
    }
    subscription = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
    delivered = status_code is not None and 200 <= status_code < 300
    if delivered:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif now >= delivery.created_at + timedelta(hours=settings.GUICHET_WEBHOOKS_RETRY_HOURS) and not _probe(
        delivery, subscription
    ):
        # Retried for the window after the delivery was made (the event, or a manual replay).
        fields.update(status=DeliveryStatus.ABANDONED, next_attempt_at=None)
    else:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=now + retry_delay(attempts, retry_after))
    # Written only while the lease is still this worker's: one whose lease ran out (it hung, another
    # took over) records nothing over the other's outcome.
    written = WebhookDelivery.objects.filter(pk=delivery.pk, next_attempt_at=lease_until, status__in=DUE).update(
        **fields
    )
    if not written:
        return
    if delivered:
        report.delivered += 1
        if subscription.failing_since is not None:
            subscription.failing_since = None
            subscription.save(update_fields=["failing_since"])
        return
    if fields["status"] == DeliveryStatus.ABANDONED:
        report.abandoned += 1
    else:
        report.failed += 1
    if not subscription.active:
        return
    if status_code == 410:
        subscription_disable(subscription=subscription, reason=WebhookSubscription.DisabledReason.GONE, actor=None)
        report.disabled.append(subscription.pk)
        return
    # « N days of failure » means failing all along: a streak restarts when the subscription's previous
    # failure is older than a retry window (it was not tried meanwhile, so nothing says it kept failing).
    previous_failure = (
        WebhookDelivery.objects.filter(
            subscription=subscription, status__in=[DeliveryStatus.FAILED, DeliveryStatus.ABANDONED]
        )
        .exclude(pk=delivery.pk)
        .order_by("-last_attempt_at")
        .values_list("last_attempt_at", flat=True)
        .first()
    )
    if delivery.attempts and delivery.last_attempt_at:  # this delivery's own earlier attempt
        previous_failure = max(filter(None, [previous_failure, delivery.last_attempt_at]))
    window = timedelta(hours=settings.GUICHET_WEBHOOKS_RETRY_HOURS)
    if subscription.failing_since is None or previous_failure is None or now - previous_failure > window:
        subscription.failing_since = now
        subscription.save(update_fields=["failing_since"])
    elif now - subscription.failing_since >= timedelta(days=settings.GUICHET_WEBHOOKS_DISABLE_AFTER_DAYS):
        subscription_disable(subscription=subscription, reason=WebhookSubscription.DisabledReason.FAILING, actor=None)
        report.disabled.append(subscription.pk)


def _probe(delivery: WebhookDelivery, subscription: WebhookSubscription) -> bool:
    """Whether the delivery goes on being tried past its window: the oldest undelivered one of a
    subscription failing without a success since, the probe that tells whether it is dead."""
    if not subscription.active or subscription.failing_since is None:
        return False
    older = Q(created_at__lt=delivery.created_at) | Q(created_at=delivery.created_at, pk__lt=delivery.pk)
    return not WebhookDelivery.objects.filter(older, subscription=subscription, status__in=DUE).exists()


@transaction.atomic
def subscription_disable(
    *, subscription: WebhookSubscription, reason: str, actor: User | None, actor_label: str = ""
) -> WebhookSubscription:
    """Stop sending to the subscription (its deliveries wait); the organisation's administrators are
    told by email when the platform did it (a 410, days of failure). `actor_label` names a caller
    that is no person (a service account)."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if not subscription.active:
        return subscription
    subscription.active = False
    subscription.disabled_at = timezone.now()
    subscription.disabled_reason = reason
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason", "updated_at"])
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.WEBHOOK_SUBSCRIPTION_DISABLE,
        target=subscription,
        details={"reason": reason, "url": subscription.url},
    )
    if reason != WebhookSubscription.DisabledReason.MANUAL:
        administrators = User.objects.filter(
            roles__organisation_id=subscription.organisation_id,
            roles__role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR,
            is_active=True,
        ).distinct()
        email_send_on_commit(
            name="webhooks/subscription_disabled",
            context={
                "subscription": subscription,
                "organisation": subscription.organisation,
                "reason": WebhookSubscription.DisabledReason(reason).label,
                "days": settings.GUICHET_WEBHOOKS_DISABLE_AFTER_DAYS,
            },
            to=sorted(administrators.values_list("email", flat=True)),
        )
    return subscription


def webhooks_deliver_due(*, now: datetime | None = None, batch: int = 100) -> DeliveryReport:
    """One round of the delivery loop: every due delivery, by batches, until none is left due."""
    report = DeliveryReport()
    now = now or timezone.now()
    seen: set[int] = set()
    while True:
        ids = [pk for pk in deliveries_due(now=now, limit=batch) if pk not in seen]
        if not ids:
            return report
        for delivery_id in ids:
            seen.add(delivery_id)
            try:
                delivery_attempt(delivery_id=delivery_id, now=now, report=report)
            except Exception:  # one delivery's trouble never stops the others
                logger.exception("Envoi webhook %s impossible", delivery_id)


@task()
def webhook_deliveries_task(*, delivery_ids: list[int]) -> dict:
    report = DeliveryReport()
    for delivery_id in delivery_ids:
        delivery_attempt(delivery_id=delivery_id, report=report)
    return {"delivered": report.delivered, "failed": report.failed}


def delivery_replay_due(delivery: WebhookDelivery) -> None:
    """Have the worker send a replay at once."""
    task_enqueue_after_commit(webhook_deliveries_task, delivery_ids=[delivery.pk])
