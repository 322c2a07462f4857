"""Dead endpoints, with a real HTTP server that checks every signature (tests/webhooks/receiver.py):
retries for the window then given up, but for one probe while the subscription fails; a 410, or
GUICHET_WEBHOOKS_DISABLE_AFTER_DAYS of failure (even after one event), disable the subscription
and tell the organisation's administrators. Time moves with explicit `now=` arguments."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from guichet.accounts.models import OrganisationRole
from guichet.webhooks.delivery import retry_delay, webhooks_deliver_due
from guichet.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
from tests.factories import DossierFactory, ProcedureFactory, UserFactory
from tests.webhooks.receiver import subscribe

pytestmark = pytest.mark.django_db


def administrator_of(procedure):
    administrator = UserFactory()
    OrganisationRole.objects.create(
        user=administrator, organisation=procedure.organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return administrator


def test_a_dead_endpoint_sent_a_single_event_is_disabled_after_days_of_failure(
    receiver, django_capture_on_commit_callbacks, settings
):
    settings.GUICHET_WEBHOOKS_DISABLE_AFTER_DAYS = 3
    procedure = ProcedureFactory()
    administrator = administrator_of(procedure)
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    receiver.stop()  # and it never comes back
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    start = timezone.now()
    hours = 0
    while subscription.active and hours < 4 * 24:
        hours += 1
        with django_capture_on_commit_callbacks(execute=True):
            webhooks_deliver_due(now=start + timedelta(hours=hours))
        subscription.refresh_from_db()
        delivery.refresh_from_db()
        if hours == 30:  # past the retry window: still tried, as the probe
            assert delivery.status == DeliveryStatus.FAILED and subscription.active
    assert not subscription.active and subscription.disabled_reason == WebhookSubscription.DisabledReason.FAILING
    assert 3 * 24 <= hours <= 3 * 24 + 2  # disabled once the days have passed, not before
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts >= 3 * 24
    told = [email for email in mail.outbox if administrator.email in email.to]
    assert len(told) == 1 and "désactivé" in told[0].subject and subscription.url in told[0].body
    # Disabled, it waits: nothing is tried any more.
    assert webhooks_deliver_due(now=start + timedelta(days=5)).failed == 0


def test_an_endpoint_that_answers_again_is_not_disabled(receiver, django_capture_on_commit_callbacks, settings):
    settings.GUICHET_WEBHOOKS_DISABLE_AFTER_DAYS = 3
    procedure = ProcedureFactory()
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    receiver.stop()
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    start = timezone.now()
    for hours in range(1, 49):
        webhooks_deliver_due(now=start + timedelta(hours=hours))
    receiver.start()  # back after two days: the probe gets through
    assert webhooks_deliver_due(now=start + timedelta(hours=50)).delivered == 1
    subscription.refresh_from_db()
    assert subscription.active and subscription.failing_since is None
    assert len(receiver.ids()) == 1


def test_retries_back_off_exponentially_then_give_up_after_the_window_but_the_probe(
    receiver, django_capture_on_commit_callbacks
):
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 8, 20, 5000)] == [30, 60, 120, 240, 3600, 3600, 3600]
    assert retry_delay(1, retry_after=600).total_seconds() == 600
    procedure = ProcedureFactory()
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    receiver.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code == 503
    assert timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    newer = WebhookDelivery.objects.exclude(pk=delivery.pk).get(subscription=subscription)
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    webhooks_deliver_due(now=timezone.now() + timedelta(minutes=1))
    delivery.refresh_from_db()
    newer.refresh_from_db()
    # Past the window the newer one is given up; the oldest goes on, as the subscription's probe.
    assert newer.status == DeliveryStatus.ABANDONED and newer.attempts == 2 and newer.next_attempt_at is None
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2
    assert len(receiver.ids()) == 4  # every try reached it, signed


def test_a_410_disables_the_subscription_and_tells_the_administrators(receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    administrator = UserFactory()
    OrganisationRole.objects.create(
        user=administrator, organisation=procedure.organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    receiver.status = 410
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_reason == WebhookSubscription.DisabledReason.GONE
    told = [email for email in mail.outbox if administrator.email in email.to]
    assert len(told) == 1 and "désactivé" in told[0].subject and subscription.url in told[0].body
    # Disabled: the next events wait, nothing is sent.
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    assert len(receiver.ids()) == 1
    assert webhooks_deliver_due(now=timezone.now() + timedelta(hours=2)).failed == 0


def test_days_of_failure_disable_the_subscription(receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    receiver.status = 500
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    subscription.refresh_from_db()
    assert subscription.active  # two days: not yet
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        webhooks_deliver_due(now=timezone.now() + timedelta(minutes=5))
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_reason == WebhookSubscription.DisabledReason.FAILING


def test_a_failure_after_a_quiet_period_starts_a_new_streak_instead_of_disabling(
    receiver, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory()
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    # That event failed and was abandoned four days ago; nothing was sent since.
    long_ago = timezone.now() - timedelta(days=4)
    WebhookDelivery.objects.update(status=DeliveryStatus.ABANDONED, last_attempt_at=long_ago, next_attempt_at=None)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=long_ago)

    receiver.status = 503  # the next event meets one passing failure
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)

    subscription.refresh_from_db()
    assert subscription.active, "disabled on its first failure after days without any attempt"
    assert timezone.now() - subscription.failing_since < timedelta(minutes=1)  # a new streak
