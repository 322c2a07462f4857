"""The delivery worker really killed (SIGKILL) in the middle of a batch, then started again: every
message reaches the receiver, each delivery ends delivered once, and a message sent twice (the one
in flight when the worker died) carries the same id both times."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from guichet.webhooks import emission
from guichet.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookMessage
from guichet.webhooks.services import subscription_create
from tests.archives.test_transfers_killed import worker_env
from tests.factories import DossierFactory, ProcedureFactory

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COUNT = 12


def test_a_worker_killed_mid_delivery_loses_nothing(tmp_path, transactional_db, receiver, monkeypatch):
    monkeypatch.setattr(emission, "_deliver_on_commit", lambda ids: None)  # the worker below sends them
    procedure = ProcedureFactory()
    made = subscription_create(
        organisation=procedure.organisation,
        procedure=None,
        url=receiver.url,
        description="",
        events=[WebhookEvent.DOSSIER_MESSAGE_RECEIVED],
        actor=None,
    )
    receiver.secrets.append(made.secret)
    dossier = DossierFactory(procedure=procedure)
    for index in range(COUNT):
        emission.webhook_emit(
            event=WebhookEvent.DOSSIER_MESSAGE_RECEIVED,
            dossier=dossier,
            source=f"test:{index}",
            data={"index": index},
            at=timezone.now(),
        )
    receiver.delay = 0.2  # answers slowly: the kill falls while a request is in flight
    env = {
        **worker_env(tmp_path),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the subscription's secret is encrypted with it
        "GUICHET_WEBHOOKS_LEASE_SECONDS": "1",
    }
    command = [sys.executable, "manage.py", "webhooks_deliver"]
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(receiver.ids()) < 3:
            time.sleep(0.01)
        time.sleep(0.1)  # mid-request: received, not yet answered
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    delivered = WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
    assert 3 <= len(receiver.ids()) < COUNT and delivered < COUNT, log.read_text()

    time.sleep(1.1)  # the dead worker's lease ends
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert again.returncode == 0, again.stdout + again.stderr

    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert WebhookDelivery.objects.count() == COUNT  # none made twice
    ids = receiver.ids()
    assert set(ids) == set(WebhookMessage.objects.values_list("msg_id", flat=True))  # none lost
    assert len(ids) - len(set(ids)) <= 1  # at most the one in flight, sent again with its own id
    assert receiver.refused == []
