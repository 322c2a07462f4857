import pytest

from bench.webhooks import webhooks_figures
from guichet.webhooks.models import WebhookSubscription

pytestmark = pytest.mark.slow


def test_the_webhooks_benchmark_delivers_every_message(demo, settings):
    figures = {figure.name: figure.value for figure in webhooks_figures(5)}
    assert figures["webhook_deliveries_per_second"] > 0
    assert 0 < figures["webhook_commit_to_receipt_p50"] <= figures["webhook_commit_to_receipt_p95"]
    assert not WebhookSubscription.objects.exists()  # the bench's subscription is removed
