"""Webhooks end to end: events of the follow-up chain and of messages, received by a real HTTP
server that checks every signature with the `standardwebhooks` package; retries after an outage,
SSRF refusals, rotation and replay (dead endpoints: test_dead_endpoints.py)."""

import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from guichet.connectors.base import ConnectorRejected
from guichet.connectors.registry import connector_for
from guichet.connectors.webhooks.signing import secret_generate
from guichet.dossiers.models import TransitionLog, TransitionName
from guichet.dossiers.services import dossier_corrections_submit, dossier_submit
from guichet.instruction.followup.chain import followup_run
from guichet.instruction.followup.steps import webhooks as webhooks_step
from guichet.instruction.messages import message_send
from guichet.instruction.models import FollowUpStep
from guichet.instruction.services import dossier_decide
from guichet.webhooks.delivery import webhooks_deliver_due
from guichet.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookMessage, WebhookSubscription
from guichet.webhooks.services import delivery_replay, subscription_create, subscription_secret_rotate
from tests.factories import DossierFactory, ProcedureFactory, instructor_of
from tests.webhooks.receiver import ALL_EVENTS, subscribe

pytestmark = pytest.mark.django_db


def test_each_event_is_received_once_signed_with_a_stable_id(receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    instructor = instructor_of(procedure)
    subscription = subscribe(receiver, procedure)
    other = ProcedureFactory()  # another organisation's: nothing of it is told
    DossierFactory(procedure=other)
    dossier = DossierFactory(procedure=procedure)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_submit(actor=dossier.applicant, dossier=dossier)
        DossierFactory(procedure=other, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.START_INSTRUCTION)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.REQUEST_CORRECTION, motivation="Pièce.")
    dossier.refresh_from_db()
    dossier.answers = {**dossier.answers, "objet": "Une demande corrigée"}
    dossier.save(update_fields=["answers"])
    with django_capture_on_commit_callbacks(execute=True):
        dossier_corrections_submit(actor=dossier.applicant, dossier=dossier)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=dossier.applicant, dossier=dossier, body="Voici la pièce manquante, cordialement.")
    with django_capture_on_commit_callbacks(execute=True):
        dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.START_INSTRUCTION)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.ACCEPT)

    assert receiver.refused == []
    assert Counter(receiver.types()) == {
        "dossier.submitted": 1,
        "dossier.state_changed": 5,  # filed, opened, sent back for corrections, opened again, accepted
        "act.issued": 2,  # the receipt, the acceptance
        "dossier.corrections_requested": 1,
        "dossier.corrections_submitted": 1,
        "dossier.message_received": 1,
    }
    assert len(set(receiver.ids())) == len(receiver.ids()) == 11
    assert all(msg_id.startswith("msg_") for msg_id in receiver.ids())
    states = [
        (r.payload["data"]["from"], r.payload["data"]["to"])
        for r in receiver.received
        if r.type == "dossier.state_changed"
    ]
    assert states[-1] == ("in_instruction", "accepted")
    first = receiver.received[0].payload
    assert first["data"]["dossier"] == {
        "id": dossier.pk,
        "number": dossier.number,
        "url": f"http://127.0.0.1:8000/api/v1/dossiers/{dossier.pk}",
    }
    # Thin payloads: never the answers, a name or a message's text.
    everything = str([r.payload for r in receiver.received])
    assert "Une demande" not in everything and "cordialement" not in everything
    assert dossier.applicant.email not in everything and dossier.applicant.last_name not in everything
    deliveries = WebhookDelivery.objects.filter(subscription=subscription)
    assert deliveries.count() == 11
    assert set(deliveries.values_list("status", "attempts", "last_status_code")) == {(DeliveryStatus.DELIVERED, 1, 200)}
    assert all(d.last_duration_ms is not None and d.last_response_excerpt == "ok" for d in deliveries)


def test_a_subscription_gets_only_the_events_and_procedure_it_chose(receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    sibling = ProcedureFactory(organisation=procedure.organisation)
    made = subscription_create(
        organisation=procedure.organisation,
        procedure=procedure,
        url=receiver.url,
        description="",
        events=[WebhookEvent.DOSSIER_SUBMITTED],
        actor=None,
    )
    receiver.secrets.append(made.secret)
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, in_instruction=True)
        DossierFactory(procedure=sibling, submitted=True)
    assert receiver.types() == ["dossier.submitted"]


def test_an_event_emitted_again_is_not_told_twice(receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    subscribe(receiver, procedure)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = DossierFactory(procedure=procedure, submitted=True)
    log = TransitionLog.objects.get(dossier=dossier, transition=TransitionName.SUBMIT)
    step = FollowUpStep.objects.get(transition=log, name=FollowUpStep.Name.WEBHOOKS)
    assert len(step.outcome["messages"]) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks_step(log=log, step=step, last_attempt=False) == {"messages": []}
        followup_run(transition_id=log.pk)
    assert WebhookMessage.objects.count() == 3 and len(receiver.ids()) == 3


def test_a_receiver_down_for_a_while_gets_every_event_after_retries_each_once(
    receiver, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory()
    subscription = subscribe(receiver, procedure)
    receiver.stop()
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, accepted=True)
    deliveries = WebhookDelivery.objects.filter(subscription=subscription)
    assert deliveries.count() == 6  # filed (3), opened, accepted (2)
    assert set(deliveries.values_list("status", "attempts")) == {(DeliveryStatus.FAILED, 1)}
    assert "injoignable" in deliveries.first().last_error
    # Not due yet: nothing is tried before its time.
    assert webhooks_deliver_due().failed == 0
    later = timezone.now()
    for _ in range(3):  # the outage lasts: each round is a failure, due later each time
        later += timedelta(hours=1)
        assert webhooks_deliver_due(now=later).failed == 6
    assert set(deliveries.values_list("attempts", flat=True)) == {4}
    subscription.refresh_from_db()
    assert subscription.active and subscription.failing_since is not None
    receiver.start()  # back, on the same address
    report = webhooks_deliver_due(now=later + timedelta(hours=1))
    assert report.delivered == 6
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    ids = receiver.ids()
    assert len(ids) == len(set(ids)) == 6
    assert set(ids) == set(WebhookMessage.objects.values_list("msg_id", flat=True))
    subscription.refresh_from_db()
    assert subscription.failing_since is None


def test_a_redirect_is_not_followed(receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    receiver.status = 307
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code == 307
    assert len(receiver.ids()) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://192.168.1.10:8080/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "http://[::ffff:10.0.0.1]/",
        "http://[2002:a00:1::1]/",  # 6to4 around 10.0.0.1
        "http://[2002:a9fe:a9fe::1]/",  # 6to4 around the metadata address
        "http://user:pass@example.org/",
        "ftp://example.org/",
    ],
)
def test_internal_addresses_are_refused(url):
    with pytest.raises(ConnectorRejected):
        connector_for("webhooks").target_check(url)


def test_localhost_is_refused_unless_allowed_and_the_refusal_is_told_in_french(receiver):
    procedure = ProcedureFactory()
    connector_for("webhooks").target_check(receiver.url)  # the tests allow 127.0.0.1/32
    with override_settings(GUICHET_WEBHOOKS_ALLOWED_NETWORKS=[]):
        with pytest.raises(ValidationError) as refused:
            subscription_create(
                organisation=procedure.organisation,
                procedure=None,
                url=f"http://localhost:{receiver.port}/",
                description="",
                events=ALL_EVENTS,
                actor=None,
            )
        assert "réseau interne" in str(refused.value)
    with override_settings(GUICHET_WEBHOOKS_HTTPS_ONLY=True), pytest.raises(ValidationError, match="https://"):
        subscription_create(
            organisation=procedure.organisation,
            procedure=None,
            url=receiver.url,
            description="",
            events=ALL_EVENTS,
            actor=None,
        )
    assert not WebhookSubscription.objects.exists()


def test_a_subscription_whose_address_became_internal_sends_nothing(receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    with override_settings(GUICHET_WEBHOOKS_ALLOWED_NETWORKS=[]), django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == DeliveryStatus.FAILED and "réseau interne" in delivery.last_error
    assert receiver.ids() == []


def test_rotation_signs_with_both_secrets_then_with_the_new_one(receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    old = receiver.secrets[0]
    new = subscription_secret_rotate(subscription=subscription, actor=None).secret
    assert new != old and new.startswith("whsec_")
    receiver.secrets.append(new)
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    assert receiver.received[0].verified_with == [old, new]
    assert len(receiver.received[0].headers["webhook-signature"].split(" ")) == 2
    WebhookSubscription.objects.filter(pk=subscription.pk).update(previous_secret_until=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    assert receiver.received[1].verified_with == [new]
    stored = WebhookSubscription.objects.filter(pk=subscription.pk).values_list("secret", flat=True).get()
    assert stored == new  # read in clear, through the field...
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhooksubscription WHERE id = %s", [subscription.pk])
        assert new not in cursor.fetchone()[0]  # ...and encrypted in the table


def test_a_replay_sends_the_same_message_id_again(receiver, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    subscription = subscribe(receiver, procedure, events=[WebhookEvent.DOSSIER_SUBMITTED])
    with django_capture_on_commit_callbacks(execute=True):
        DossierFactory(procedure=procedure, submitted=True)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    with django_capture_on_commit_callbacks(execute=True):
        replay = delivery_replay(delivery=delivery, actor=None)
    replay.refresh_from_db()
    assert replay.pk != delivery.pk and replay.status == DeliveryStatus.DELIVERED
    assert receiver.ids() == [delivery.message.msg_id] * 2


def test_a_cloud_metadata_address_is_refused_even_inside_an_allowed_network():
    with override_settings(GUICHET_WEBHOOKS_ALLOWED_NETWORKS=["169.254.0.0/16", "fd00::/8"]):
        connector = connector_for("webhooks")
        assert connector.target_check("http://169.254.10.1/hook").port == 80  # the network is allowed
        for url in ("http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/"):
            with pytest.raises(ConnectorRejected):
                connector.target_check(url)


def test_an_answer_trickled_byte_by_byte_does_not_hold_the_worker_past_the_timeout(settings):
    # A receiver that answers at once, then sends its body a byte at a time, each within the read
    # timeout: read to the end, it would hold a delivery worker for hours (2,000 bytes × the timeout).
    settings.GUICHET_WEBHOOKS_TIMEOUT = 1

    class Trickle(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server's name)
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Length", "2000")
            self.end_headers()
            for _ in range(40):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.25)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        answer = connector_for("webhooks").send(
            url=f"http://127.0.0.1:{server.server_port}/", msg_id="msg_1", body=b"{}", secrets=[secret_generate()]
        )
        assert time.monotonic() - started < 3
        assert answer.status == 200 and 0 < len(answer.excerpt) < 20
    finally:
        server.shutdown()
        server.server_close()
