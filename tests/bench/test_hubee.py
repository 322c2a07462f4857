import pytest

from bench.hubee import PROCESS_CODE, hubee_figures
from guichet.demo.hubee_cases import PROCESS_CODE as DEMO_PROCESS_CODE
from guichet.exchanges.models import HubeeSubscription, ReceivedCase

pytestmark = pytest.mark.slow


def test_the_hubee_benchmark_files_a_dossier_per_case(demo, settings):
    figures = {figure.name: figure.value for figure in hubee_figures(4)}
    assert figures["hubee_cases_to_dossiers_per_second"] > 0
    assert ReceivedCase.objects.filter(subscription__process_code=PROCESS_CODE, dossier__isnull=False).count() == 4
    # The demo's subscription is left as it was, and the bench's no longer polled.
    states = dict(HubeeSubscription.objects.values_list("process_code", "active"))
    assert states == {DEMO_PROCESS_CODE: True, PROCESS_CODE: False}
