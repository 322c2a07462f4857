"""The webhooks API (scope `webhooks:manage`): a service account of the organisation subscribes,
gets its secret once, reads the delivery log and replays; without the scope 403, another
organisation's subscription 404, an internal address 422."""

import pytest

from guichet.api.scopes import Scope
from guichet.core.models import AuditAction, AuditEvent
from guichet.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.api.keys import administrator_of, bearer, person_key, service_account, service_key
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

pytestmark = pytest.mark.django_db
BASE = "/api/v1/webhooks/subscriptions"


def post(client, path, key, body=None):
    return client.post(path, body or {}, content_type="application/json", headers=bearer(key))


def test_a_service_account_subscribes_and_follows_its_deliveries(client, receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    account = service_account(procedure.organisation, [Scope.WEBHOOKS_MANAGE], name="GED")
    key = service_key(account)
    response = post(client, BASE, key, {"url": receiver.url, "events": ["dossier.submitted"]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["organisation"] == procedure.organisation.pk
    receiver.secrets.append(created["secret"])
    event = AuditEvent.objects.get(action=AuditAction.WEBHOOK_SUBSCRIPTION_CREATE)
    assert event.actor is None and event.actor_label == account.label
    read = client.get(f"{BASE}/{created['id']}", headers=bearer(key)).json()
    assert "secret" not in read and read["events"] == ["dossier.submitted"]

    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    log = client.get(f"{BASE}/{created['id']}/deliveries", headers=bearer(key)).json()
    assert [(d["event"], d["status"], d["last_status_code"]) for d in log] == [("dossier.submitted", "delivered", 200)]
    with django_capture_on_commit_callbacks(execute=True):
        replay = post(client, f"{BASE}/{created['id']}/deliveries/{log[0]['id']}/replay", key)
    assert replay.status_code == 200 and replay.json()["msg_id"] == log[0]["msg_id"]
    assert receiver.ids() == [log[0]["msg_id"]] * 2

    rotated = post(client, f"{BASE}/{created['id']}/secret", key).json()
    assert rotated["secret"] != created["secret"] and rotated["previous_secret_until"]
    assert post(client, f"{BASE}/{created['id']}/disable", key).json()["active"] is False
    assert post(client, f"{BASE}/{created['id']}/enable", key).json()["active"] is True
    changed = client.put(
        f"{BASE}/{created['id']}",
        {"url": receiver.url, "events": ["act.issued"], "procedure": procedure.pk},
        content_type="application/json",
        headers=bearer(key),
    )
    assert changed.status_code == 200 and changed.json()["procedure"] == procedure.pk
    assert client.delete(f"{BASE}/{created['id']}", headers=bearer(key)).status_code == 204
    assert not WebhookSubscription.objects.exists() and not WebhookDelivery.objects.exists()


def test_who_may_manage_which_subscriptions(client, receiver, settings):
    procedure = ProcedureFactory()
    other = ProcedureFactory()
    theirs = service_account(other.organisation, [Scope.WEBHOOKS_MANAGE])
    foreign = post(client, BASE, service_key(theirs), {"url": receiver.url, "events": ["dossier.submitted"]}).json()

    own = service_key(service_account(procedure.organisation, [Scope.WEBHOOKS_MANAGE]))
    assert client.get(BASE, headers=bearer(own)).json() == []
    assert client.get(f"{BASE}/{foreign['id']}", headers=bearer(own)).status_code == 404
    assert post(client, f"{BASE}/{foreign['id']}/secret", own).status_code == 404
    # A procedure of another organisation cannot be followed.
    refused = post(client, BASE, own, {"url": receiver.url, "events": ["dossier.submitted"], "procedure": other.pk})
    assert refused.status_code == 422

    without = service_key(service_account(procedure.organisation, [Scope.DOSSIERS_READ]))
    assert client.get(BASE, headers=bearer(without)).status_code == 403
    assert post(client, BASE, without, {"url": receiver.url, "events": ["dossier.submitted"]}).status_code == 403
    assert client.get(BASE, headers=bearer(person_key(instructor_of(procedure)))).status_code == 403

    # An administrator's own key manages their organisations'.
    admin_key = person_key(administrator_of(other.organisation))
    assert [s["id"] for s in client.get(BASE, headers=bearer(admin_key)).json()] == [foreign["id"]]

    # An account limited to some procedures manages subscriptions to those only.
    limited = service_key(service_account(procedure.organisation, [Scope.WEBHOOKS_MANAGE], procedures=[procedure]))
    whole = post(client, BASE, limited, {"url": receiver.url, "events": ["dossier.submitted"]})
    assert whole.status_code == 422 and "certaines démarches" in whole.json()["errors"][0]["msg"]
    one = post(client, BASE, limited, {"url": receiver.url, "events": ["dossier.submitted"], "procedure": procedure.pk})
    assert one.status_code == 201

    settings.GUICHET_WEBHOOKS_ALLOWED_NETWORKS = []
    internal = post(client, BASE, own, {"url": "http://169.254.169.254/latest/", "events": ["dossier.submitted"]})
    assert internal.status_code == 422
    assert internal.json()["errors"][0]["loc"][-1] == "url" and "réseau interne" in internal.json()["errors"][0]["msg"]
    unknown = post(client, BASE, own, {"url": receiver.url, "events": ["dossier.eaten"]})
    assert unknown.status_code == 422
