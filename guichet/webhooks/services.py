"""Writes on webhook subscriptions, by an organisation's administrator (screens and API). Each
records one audit event; the secret is shown once, when made (creation, rotation)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import Organisation, User
from guichet.connectors.base import ConnectorRejected
from guichet.connectors.registry import connector_for
from guichet.connectors.webhooks.signing import secret_generate
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import organisation_ids_administered_by

from .delivery import delivery_replay_due, subscription_disable
from .models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription

MAX_PER_ORGANISATION = 50


@dataclass(frozen=True)
class WithSecret:
    subscription: WebhookSubscription
    secret: str  # shown once


def webhook_url_check(url: str) -> None:
    """ValidationError, in French, when `url` may not receive webhooks (not https, an internal
    address, a name that does not resolve)."""
    try:
        connector_for("webhooks").target_check(url)
    except ConnectorRejected as refused:
        raise ValidationError({"url": str(refused)}) from refused


def _events_clean(events: list[str]) -> list[str]:
    unknown = [event for event in events if event not in WebhookEvent.values]
    if unknown:
        raise ValidationError({"events": f"Événement inconnu : {', '.join(unknown)}."})
    if not events:
        raise ValidationError({"events": "Choisissez au moins un événement."})
    return [event for event in WebhookEvent.values if event in events]  # the list's order, once each


def _check_scope(*, actor: User | None, organisation: Organisation, procedure: Procedure | None) -> None:
    if actor is not None and organisation.pk not in organisation_ids_administered_by(actor):
        raise PermissionDenied("Vous n’administrez pas cette organisation.")
    if procedure is not None:
        allowed = organisation_ids_administered_by(actor) if actor is not None else None
        below = procedure.organisation_id == organisation.pk or organisation in procedure.organisation.ancestors()
        if not below or (allowed is not None and procedure.organisation_id not in allowed):
            raise ValidationError({"procedure": "Cette démarche n’appartient pas à l’organisation choisie."})


@transaction.atomic
def subscription_create(
    *,
    organisation: Organisation,
    procedure: Procedure | None,
    url: str,
    description: str,
    events: list[str],
    actor: User | None,
    actor_label: str = "",
) -> WithSecret:
    """A new subscription and its secret (returned once, stored encrypted)."""
    _check_scope(actor=actor, organisation=organisation, procedure=procedure)
    webhook_url_check(url)
    events = _events_clean(events)
    if WebhookSubscription.objects.filter(organisation=organisation).count() >= MAX_PER_ORGANISATION:
        raise ValidationError(f"Une organisation a au plus {MAX_PER_ORGANISATION} abonnements.")
    secret = secret_generate()
    subscription = WebhookSubscription.objects.create(
        organisation=organisation,
        procedure=procedure,
        url=url,
        description=description.strip(),
        events=events,
        secret=secret,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.WEBHOOK_SUBSCRIPTION_CREATE,
        target=subscription,
        details={"url": url, "events": events, "procedure": procedure.pk if procedure else None},
    )
    return WithSecret(subscription=subscription, secret=secret)


@transaction.atomic
def subscription_update(
    *,
    subscription: WebhookSubscription,
    procedure: Procedure | None,
    url: str,
    description: str,
    events: list[str],
    actor: User | None,
    actor_label: str = "",
) -> WebhookSubscription:
    _check_scope(actor=actor, organisation=subscription.organisation, procedure=procedure)
    if url != subscription.url:
        webhook_url_check(url)
    subscription.procedure = procedure
    subscription.url = url
    subscription.description = description.strip()
    subscription.events = _events_clean(events)
    subscription.save()
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.WEBHOOK_SUBSCRIPTION_UPDATE,
        target=subscription,
        details={"url": url, "events": subscription.events, "procedure": procedure.pk if procedure else None},
    )
    return subscription


@transaction.atomic
def subscription_secret_rotate(
    *, subscription: WebhookSubscription, actor: User | None, actor_label: str = ""
) -> WithSecret:
    """A new secret signs from now on; the previous one signs too, beside it, for
    GUICHET_WEBHOOKS_SECRET_OVERLAP_HOURS, so that the receiver can switch without losing a message."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    secret = secret_generate()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = timezone.now() + timedelta(
        hours=settings.GUICHET_WEBHOOKS_SECRET_OVERLAP_HOURS
    )
    subscription.secret = secret
    subscription.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.WEBHOOK_SUBSCRIPTION_SECRET_ROTATE,
        target=subscription,
        details={"previous_until": subscription.previous_secret_until.isoformat()},
    )
    return WithSecret(subscription=subscription, secret=secret)


def subscription_deactivate(
    *, subscription: WebhookSubscription, actor: User | None, actor_label: str = ""
) -> WebhookSubscription:
    """An administrator stops the subscription (no email: they know)."""
    return subscription_disable(
        subscription=subscription,
        reason=WebhookSubscription.DisabledReason.MANUAL,
        actor=actor,
        actor_label=actor_label,
    )


@transaction.atomic
def subscription_enable(
    *, subscription: WebhookSubscription, actor: User | None, actor_label: str = ""
) -> WebhookSubscription:
    """Send again: the deliveries that waited are due at once (those whose retry window ended are
    abandoned at their next failure)."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.active:
        return subscription
    webhook_url_check(subscription.url)
    subscription.active = True
    subscription.disabled_at = None
    subscription.disabled_reason = ""
    subscription.failing_since = None
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason", "failing_since", "updated_at"])
    WebhookDelivery.objects.filter(
        subscription=subscription, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    ).update(next_attempt_at=timezone.now())
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.WEBHOOK_SUBSCRIPTION_ENABLE,
        target=subscription,
        details={},
    )
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription, actor: User | None, actor_label: str = "") -> None:
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.WEBHOOK_SUBSCRIPTION_DELETE,
        target=subscription,
        details={"url": subscription.url},
    )
    subscription.delete()


@transaction.atomic
def delivery_replay(*, delivery: WebhookDelivery, actor: User | None, actor_label: str = "") -> WebhookDelivery:
    """Send the message again to the subscription: a new delivery with the same `webhook-id`."""
    subscription = delivery.subscription
    if not subscription.active:
        raise ValidationError("Réactivez l’abonnement avant de renvoyer une notification.")
    replay = WebhookDelivery.objects.create(
        message=delivery.message, subscription=subscription, next_attempt_at=timezone.now(), replayed_by=actor
    )
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.WEBHOOK_DELIVERY_REPLAY,
        target=subscription,
        details={"message": delivery.message.msg_id, "delivery": replay.pk, "of": delivery.pk},
    )
    delivery_replay_due(replay)
    return replay
