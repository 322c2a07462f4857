"""Uptime and load time, measured by the platform's own visits of each procedure's start page."""

import datetime

import pytest
from django.utils import timezone

from guichet.observatory.aggregation import observatory_aggregate
from guichet.observatory.models import PageProbe, ProcedureQuality
from guichet.observatory.probes import Answer, _http_get, observatory_probe, probe_figures
from guichet.observatory.selectors import entry_quality, entry_verdicts
from guichet.procedures.models import Procedure
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(title="Demande d’acte de naissance")
    Procedure.objects.filter(pk=procedure.pk).update(published_at=timezone.now() - datetime.timedelta(days=200))
    observatory_aggregate()  # its programme row
    return Procedure.objects.get(pk=procedure.pk)


def test_each_visit_asks_the_start_page_and_records_what_came(procedure):
    asked = []

    def fetch(url):
        asked.append(url)
        return Answer(200, 0.25)

    assert observatory_probe(fetch=fetch, base_url="https://guichet.example.fr/") == 1
    assert asked == [f"https://guichet.example.fr/demarches/{procedure.slug}/"]
    probe = PageProbe.objects.get()
    assert (probe.ok, probe.status, probe.seconds) == (True, 200, 0.25)
    observatory_probe(fetch=lambda url: Answer(None, 10.0))  # no answer: down, no time kept
    assert PageProbe.objects.filter(ok=False, status=None, seconds=None).count() == 1


def test_uptime_counts_the_visits_that_could_not_happen_and_load_time_is_the_median(procedure):
    now = timezone.now()
    start = now - datetime.timedelta(days=1)
    # 145 visits were expected over the day (one every 10 minutes); 100 happened, 95 got the page.
    for number in range(100):
        ok = number >= 5
        observatory_probe(
            now=start + datetime.timedelta(minutes=10 * number),
            fetch=lambda url, ok=ok, seconds=0.3 + (number % 3) / 10: Answer(200 if ok else 503, seconds),
        )
    entry_id = PageProbe.objects.values_list("entry_id", flat=True).first()
    figures = probe_figures([entry_id], now=now)[entry_id]
    assert figures.uptime_pct == pytest.approx(100 * 95 / 145)
    assert figures.load_seconds == pytest.approx(0.4)

    observatory_aggregate(now=now)
    quality = ProcedureQuality.objects.get(entry_id=entry_id)
    assert quality.uptime_pct == pytest.approx(65.52, abs=0.01) and quality.load_seconds == pytest.approx(0.4)
    verdicts = {verdict.slug: verdict for verdict in entry_verdicts(quality.entry, entry_quality(quality.entry))}
    assert verdicts["uptime"].level == "red" and verdicts["performance"].level == "yellow"


def test_visits_older_than_the_window_are_dropped(procedure):
    now = timezone.now()
    observatory_probe(now=now - datetime.timedelta(days=150), fetch=lambda url: Answer(200, 0.1))
    observatory_probe(now=now, fetch=lambda url: Answer(200, 0.1))
    assert PageProbe.objects.count() == 1


def test_the_real_visit_gets_the_page_of_a_running_platform(live_server, procedure):
    answer = _http_get(f"{live_server.url}/demarches/{procedure.slug}/")
    assert answer.status == 200 and answer.seconds > 0
    assert _http_get("http://127.0.0.1:9/").status is None  # nothing listens there
