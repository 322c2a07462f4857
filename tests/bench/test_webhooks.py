import pytest

from bench.webhooks import webhooks_figures
from guichet.demo.integrations import DEMO_WEBHOOKS_URL
from guichet.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.slow


def test_the_webhooks_benchmark_delivers_every_message(demo, settings):
    figures = {figure.name: figure.value for figure in webhooks_figures(5)}
    assert figures["webhook_deliveries_per_second"] > 0
    assert 0 < figures["webhook_commit_to_receipt_p50"] <= figures["webhook_commit_to_receipt_p95"]
    # The bench's subscription is removed; the demo's own (to the local receiver) heard nothing.
    assert list(WebhookSubscription.objects.values_list("url", flat=True)) == [DEMO_WEBHOOKS_URL]
    assert not WebhookDelivery.objects.exists()
