"""Uptime and page load time, measured by the platform itself: every PROBE_INTERVAL, the
observatory's loop (`observatory_aggregate --every`, started by `manage.py serve`) asks each
published procedure's start page over HTTP, as an applicant's browser would, at GUICHET_SITE_URL.

Uptime over 3 months is the share of the expected visits that got the page: a visit that could not
happen (the whole platform down, the loop stopped) counts as a failure, from the first visit on.
Load time is the median time to receive the page's HTML over 30 days: the server's part of what a
person waits for (fonts, styles and scripts come from our own static files, cached)."""

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import PageProbe, ProgrammeEntry

PROBE_INTERVAL = datetime.timedelta(minutes=10)
UPTIME_DAYS = 91
LOAD_DAYS = 30
TIMEOUT_SECONDS = 10
KEPT_DAYS = 100


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, timed out)
    seconds: float


def _http_get(url: str) -> Answer:
    started = time.perf_counter()
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
        response.content  # noqa: B018 (the whole page, as a browser reads it)
    except requests.RequestException:
        return Answer(None, time.perf_counter() - started)
    return Answer(response.status_code, time.perf_counter() - started)


def observatory_probe(
    *, now: datetime.datetime | None = None, fetch: Callable[[str], Answer] = _http_get, base_url: str = ""
) -> int:
    """Visit the start page of every procedure published in Guichet once; returns how many. Visits
    older than KEPT_DAYS are dropped. (Measurements, not decisions: not in the audit trail.)"""
    now = now or timezone.now()
    base_url = (base_url or settings.GUICHET_SITE_URL).rstrip("/")
    entries = ProgrammeEntry.objects.filter(procedure__published_at__isnull=False).select_related("procedure")
    probes = []
    for entry in entries:
        answer = fetch(base_url + reverse("public:procedure_detail", args=[entry.procedure.slug]))
        ok = answer.status == 200
        probes.append(
            PageProbe(entry=entry, at=now, ok=ok, status=answer.status, seconds=answer.seconds if ok else None)
        )
    with transaction.atomic():
        PageProbe.objects.bulk_create(probes)
        PageProbe.objects.filter(at__lt=now - datetime.timedelta(days=KEPT_DAYS)).delete()
    return len(probes)


@dataclass(frozen=True)
class ProbeFigures:
    uptime_pct: float | None
    load_seconds: float | None


def probe_figures(entry_ids: list[int], *, now: datetime.datetime) -> dict[int, ProbeFigures]:
    """Each entry's uptime (%) over UPTIME_DAYS and median load time (s) over LOAD_DAYS; None
    before its first visit."""
    since = now - datetime.timedelta(days=UPTIME_DAYS)
    recent = now - datetime.timedelta(days=LOAD_DAYS)
    visits: dict[int, list[tuple[datetime.datetime, bool, float | None]]] = {}
    rows = PageProbe.objects.filter(entry_id__in=entry_ids, at__gte=since).values_list(
        "entry_id", "at", "ok", "seconds"
    )
    for entry_id, at, ok, seconds in rows.order_by("entry_id", "at"):
        visits.setdefault(entry_id, []).append((at, ok, seconds))
    figures = {}
    for entry_id, seen in visits.items():
        first = seen[0][0]
        expected = max(len(seen), int((now - first) / PROBE_INTERVAL) + 1)
        served = sum(1 for _at, ok, _seconds in seen if ok)
        times = [seconds for at, ok, seconds in seen if ok and at >= recent and seconds is not None]
        figures[entry_id] = ProbeFigures(
            uptime_pct=100 * served / expected, load_seconds=statistics.median(times) if times else None
        )
    return figures
