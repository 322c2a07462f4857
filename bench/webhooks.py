"""Webhooks: deliveries per second to a local receiver (a batch of due deliveries sent by the
delivery loop, one after the other, each signed, POSTed and recorded), and the delay from an event's
commit to its receipt (p50, p95) when the worker sends it as the event commits (the task enqueued
on commit; here run in process, so the figure is Guichet's own work, not a task queue's wait).

`python -m bench.webhooks [count]` runs it alone (over bench/settings.py's database, the demo
loaded); `webhooks_figures(count)` gives the figures to bench/run.py."""

import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DELIVERIES = 300


class _Receiver:
    """A plain local receiver: answers 204 at once and notes when each message arrived."""

    def __init__(self):
        self.arrived: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.arrived.setdefault(self.headers["webhook-id"], time.perf_counter())
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def webhooks_figures(count: int = DELIVERIES) -> list:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from bench.run import Figure
    from guichet.dossiers.models import Dossier
    from guichet.webhooks import emission
    from guichet.webhooks.delivery import delivery_attempt, webhooks_deliver_due
    from guichet.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
    from guichet.webhooks.services import subscription_create

    settings.GUICHET_WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.GUICHET_WEBHOOKS_HTTPS_ONLY = False
    receiver = _Receiver()
    # A dossier of an organisation no other subscription listens to (the demo's town hall has one,
    # to the local receiver): the figures are the bench's receiver's alone.
    subscribed = WebhookSubscription.objects.values_list("organisation_id", flat=True)
    dossier = (
        Dossier.objects.exclude(number=None)
        .exclude(procedure__organisation_id__in=subscribed)
        .select_related("procedure__organisation")
        .first()
    )
    subscription = subscription_create(
        organisation=dossier.procedure.organisation,
        procedure=dossier.procedure,
        url=receiver.url,
        description="bench",
        events=[WebhookEvent.DOSSIER_MESSAGE_RECEIVED],
        actor=None,
    ).subscription
    stamp = time.time_ns()
    deliver_on_commit = emission._deliver_on_commit
    try:
        # Throughput: `count` deliveries due, then one round of the loop.
        emission._deliver_on_commit = lambda ids: None
        for index in range(count):
            emission.webhook_emit(
                event=WebhookEvent.DOSSIER_MESSAGE_RECEIVED,
                dossier=dossier,
                source=f"bench:{stamp}:{index}",
                data={"index": index},
                at=timezone.now(),
            )
        start = time.perf_counter()
        report = webhooks_deliver_due()
        elapsed = time.perf_counter() - start
        if report.delivered != count:
            raise RuntimeError(f"{report.delivered} of {count} deliveries delivered")
        # Latency: one event at a time, sent as soon as it committed (what the task enqueued on
        # commit does, run here in process).
        delays = []
        for index in range(max(count // 3, 20)):
            with transaction.atomic():
                emitted = emission.webhook_emit(
                    event=WebhookEvent.DOSSIER_MESSAGE_RECEIVED,
                    dossier=dossier,
                    source=f"bench:{stamp}:latency:{index}",
                    data={"index": index},
                    at=timezone.now(),
                )
            committed = time.perf_counter()
            for delivery_id in emitted.deliveries:
                delivery_attempt(delivery_id=delivery_id)
            delays.append(1000 * (receiver.arrived[emitted.msg_id] - committed))
    finally:
        emission._deliver_on_commit = deliver_on_commit
        receiver.stop()
    delivered = WebhookDelivery.objects.filter(subscription=subscription, status=DeliveryStatus.DELIVERED).count()
    WebhookSubscription.objects.filter(pk=subscription.pk).delete()
    if delivered != count + len(delays):
        raise RuntimeError(f"{delivered} deliveries of {count + len(delays)} recorded as delivered")
    return [
        Figure("webhook_deliveries_per_second", count / elapsed, "deliveries/s"),
        Figure("webhook_commit_to_receipt_p50", statistics.median(delays), "ms"),
        Figure("webhook_commit_to_receipt_p95", statistics.quantiles(delays, n=20)[18], "ms"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.run import figures_print

    figures_print(webhooks_figures)
