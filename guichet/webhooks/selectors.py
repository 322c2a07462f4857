"""Reads of subscriptions and deliveries for the organisations' administrators: only those of the
organisations they administer (and those below them)."""

from django.db.models import QuerySet

from guichet.accounts.models import User
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import organisation_ids_administered_by

from .models import WebhookDelivery, WebhookSubscription


def subscriptions_administered_by(user: User) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(
        organisation_id__in=organisation_ids_administered_by(user)
    ).select_related("organisation", "procedure")


def subscription_for_administrator(user: User, subscription_id: int) -> WebhookSubscription | None:
    return subscriptions_administered_by(user).filter(pk=subscription_id).first()


def deliveries_of(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return subscription.deliveries.select_related("message", "replayed_by").order_by("-created_at", "-pk")


def delivery_for_administrator(
    user: User, subscription: WebhookSubscription, delivery_id: int
) -> WebhookDelivery | None:
    return deliveries_of(subscription).filter(pk=delivery_id).first()


def procedures_for_subscription(organisation_ids: set[int]) -> QuerySet[Procedure]:
    """The procedures a subscription of these organisations may be limited to."""
    return Procedure.objects.filter(organisation_id__in=organisation_ids).order_by("title")
