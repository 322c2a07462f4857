"""The demo's webhook subscription and its local receiver (`manage.py webhooks_receiver`, started by
`make run`): the demo has a town hall's service account whose published key reads the town's
dossiers, a subscription to the receiver, and the receiver verifies real deliveries with the
subscription's secret read from the database, refusing a forged one."""

import threading

import pytest
import requests
from django.db import transaction

from guichet.api.models import ServiceAccount
from guichet.demo.integrations import DEMO_SERVICE_ACCOUNT, DEMO_SERVICE_KEY, DEMO_WEBHOOKS_URL
from guichet.demo.management.commands.webhooks_receiver import receiver_server
from guichet.dossiers.models import Dossier
from guichet.dossiers.services import dossier_submit
from guichet.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
from guichet.webhooks.services import subscription_create
from tests.factories import DossierFactory, ProcedureFactory


def test_the_demo_has_a_service_account_with_a_published_key_and_a_subscription_to_the_receiver(demo, client):
    account = ServiceAccount.objects.get(name=DEMO_SERVICE_ACCOUNT)
    assert account.organisation.slug == "mairie-sainte-croix-en-val"
    assert account.scopes == ["dossiers:read", "webhooks:manage"]
    listed = client.get("/api/v1/dossiers?limit=200", headers={"Authorization": f"Bearer {DEMO_SERVICE_KEY}"})
    assert listed.status_code == 200
    ids = {dossier["id"] for dossier in listed.json()["dossiers"]}
    town = set(Dossier.objects.filter(procedure__organisation=account.organisation).values_list("pk", flat=True))
    assert ids and ids <= town  # the town's dossiers, none of the ministry's
    subscription = WebhookSubscription.objects.get(url=DEMO_WEBHOOKS_URL)
    assert subscription.organisation == account.organisation and subscription.secret.startswith("whsec_")
    assert sorted(subscription.events) == sorted(WebhookEvent.values)


@pytest.mark.slow
def test_the_receiver_verifies_a_real_delivery_with_the_subscriptions_secret(transactional_db):
    lines: list[str] = []
    server = receiver_server(port=0, write=lines.append)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        procedure = ProcedureFactory()
        subscription_create(
            organisation=procedure.organisation,
            procedure=None,
            url=f"http://127.0.0.1:{port}/",
            description="Récepteur local",
            events=list(WebhookEvent.values),
            actor=None,
        )
        dossier = DossierFactory(procedure=procedure)
        with transaction.atomic():
            dossier_submit(actor=dossier.applicant, dossier=dossier)
        deliveries = WebhookDelivery.objects.all()
        assert deliveries.count() >= 1
        assert set(deliveries.values_list("status", "last_status_code")) == {(DeliveryStatus.DELIVERED, 204)}
        dossier.refresh_from_db()
        received = [line for line in lines if line.startswith("REÇU")]
        assert any("dossier.submitted" in line and dossier.number in line for line in received), lines
        # Signed with another secret (an impostor): refused, and said so.
        headers = {"webhook-id": "msg_forged", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA"}
        answer = requests.post(f"http://127.0.0.1:{port}/", data=b"{}", headers=headers, timeout=5)
        assert answer.status_code == 401 and "msg_forged" in lines[-1] and lines[-1].startswith("REFUSÉ")
    finally:
        server.shutdown()
        server.server_close()
