"""The administrators' webhook screens: create (the secret shown once, internal addresses refused
in French), the delivery log, replay, rotation, re-enabling; another organisation's administrator
sees nothing of them."""

import pytest
from django.urls import reverse
from standardwebhooks import Webhook

from guichet.accounts.models import OrganisationRole
from guichet.core.models import AuditAction, AuditEvent
from guichet.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from guichet.webhooks.services import subscription_deactivate
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


def administrator_of(organisation):
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return user


@pytest.fixture
def procedure():
    return ProcedureFactory(organisation=OrganisationFactory(name="Mairie de Test"))


@pytest.fixture
def admin(client, procedure):
    client.force_login(administrator_of(procedure.organisation))
    return client


def _create(admin, procedure, url, events=("dossier.submitted",)):
    data = {
        "organisation": procedure.organisation.pk,
        "procedure": "",
        "url": url,
        "description": "GED",
        "events": list(events),
    }
    return admin.post(reverse("webhooks_admin:create"), data)


def test_an_administrator_subscribes_sees_the_secret_once_and_follows_the_deliveries(
    admin, procedure, receiver, django_capture_on_commit_callbacks
):
    page = admin.get(reverse("webhooks_admin:create"))
    assert page.status_code == 200 and "Adresse de réception" in page.content.decode()
    response = _create(admin, procedure, receiver.url)
    assert response.status_code == 200
    text = response.content.decode()
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in text and "il ne sera plus affiché" in text
    receiver.secrets.append(subscription.secret)
    Webhook(subscription.secret)  # a secret the reference package reads
    detail = admin.get(reverse("webhooks_admin:detail", args=[subscription.pk])).content.decode()
    assert subscription.secret not in detail  # shown once only
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_SUBSCRIPTION_CREATE).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    delivery = WebhookDelivery.objects.get()
    detail = admin.get(reverse("webhooks_admin:detail", args=[subscription.pk])).content.decode()
    assert delivery.message.msg_id in detail and "Reçu" in detail and "HTTP 200" in detail

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("webhooks_admin:replay", args=[subscription.pk, delivery.pk]))
    assert response.status_code == 302
    assert receiver.ids() == [delivery.message.msg_id] * 2
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2

    rotated = admin.post(reverse("webhooks_admin:rotate", args=[subscription.pk])).content.decode()
    subscription.refresh_from_db()
    assert subscription.secret in rotated and subscription.previous_secret == receiver.secrets[0]


def test_an_internal_address_is_refused_with_a_clear_message(admin, procedure, settings):
    settings.GUICHET_WEBHOOKS_ALLOWED_NETWORKS = []
    for url in ("http://10.0.0.1/hook", "http://169.254.169.254/latest/", "http://localhost:8000/"):
        response = _create(admin, procedure, url)
        assert response.status_code == 200
        assert "réseau interne ou réservé" in response.content.decode()
    assert not WebhookSubscription.objects.exists()
    response = _create(admin, procedure, "https://example.org/hook", events=())
    assert "Choisissez au moins un événement." in response.content.decode()


def test_a_disabled_subscription_is_enabled_again_and_its_waiting_deliveries_go(
    admin, procedure, receiver, django_capture_on_commit_callbacks
):
    _create(admin, procedure, receiver.url)
    subscription = WebhookSubscription.objects.get()
    receiver.secrets.append(subscription.secret)
    subscription_deactivate(subscription=subscription, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    assert not WebhookDelivery.objects.exists()  # nothing emitted for a disabled subscription
    detail = admin.get(reverse("webhooks_admin:detail", args=[subscription.pk])).content.decode()
    assert "Abonnement désactivé" in detail and "Réactiver" in detail
    admin.post(reverse("webhooks_admin:enable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.active
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    assert receiver.types() == ["dossier.submitted"]


def test_another_organisations_administrator_sees_nothing(client, admin, procedure, receiver):
    _create(admin, procedure, receiver.url)
    subscription = WebhookSubscription.objects.get()
    client.force_login(administrator_of(OrganisationFactory()))
    assert subscription.url not in client.get(reverse("webhooks_admin:list")).content.decode()
    assert client.get(reverse("webhooks_admin:detail", args=[subscription.pk])).status_code == 404
    assert client.post(reverse("webhooks_admin:rotate", args=[subscription.pk])).status_code == 404
    response = client.post(
        reverse("webhooks_admin:create"),
        {"organisation": procedure.organisation.pk, "url": receiver.url, "events": ["dossier.submitted"]},
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert WebhookSubscription.objects.count() == 1
    client.force_login(UserFactory())  # no administrator at all
    assert client.get(reverse("webhooks_admin:list")).status_code == 403
