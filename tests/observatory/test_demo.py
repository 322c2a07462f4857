"""The demo data give a believable dashboard: opinions, procedures not yet online with costs and
drifts, other channels, barometer indicators with targets and values, computed figures."""

import re

import pytest
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse

from guichet.dossiers.models import Opinion
from guichet.observatory.models import IndicatorGoal, IndicatorValue, ProcedureQuality, ProgrammeEntry
from guichet.observatory.selectors import programme_entries, programme_figures, quality_rows

pytestmark = pytest.mark.django_db


def test_the_demo_dashboard(client, demo):
    assert Opinion.objects.count() > 50
    assert ProgrammeEntry.objects.filter(procedure__isnull=True).count() >= 4
    assert ProcedureQuality.objects.count() == 5  # the five published procedures
    figures = programme_figures(programme_entries())
    assert 0 < figures.online_share < 100
    assert figures.cost_drift_mean > 0 and figures.duration_drift_mean > 0
    levels = {verdict.level for row in quality_rows() for verdict in row.verdicts}
    assert {"green", "yellow", "red", "gray"} <= levels
    assert IndicatorGoal.objects.filter(zone__startswith="D").exists()
    assert IndicatorValue.objects.filter(computed=True).exists()
    assert IndicatorValue.objects.filter(computed=False).count() >= 10
    for name in ("quality", "programme", "barometer"):
        assert client.get(reverse(f"observatoire:{name}")).status_code == 200


def test_the_demo_judges_satisfaction_where_opinions_are_enough(client, demo):
    """Over 100 opinions of the last 12 months for the busiest procedures, answers varied and
    spread over the year: their satisfaction has a colour, on the table and on their page; the
    others stay gray."""
    rows = {row.entry.procedure.slug: row for row in quality_rows() if row.entry.procedure_id}
    levels = {slug: next(v.level for v in row.verdicts if v.slug == "satisfaction") for slug, row in rows.items()}
    judged = [slug for slug, level in levels.items() if level != "gray"]
    assert judged and all(rows[slug].opinions_count >= 100 for slug in judged)
    assert any(level == "gray" and rows[slug].opinions_count < 100 for slug, level in levels.items())
    busiest = rows[judged[0]].entry
    months = (
        Opinion.objects.filter(procedure=busiest.procedure)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    assert len(months) >= 12
    assert Opinion.objects.filter(procedure=busiest.procedure).values("overall").distinct().count() == 3

    # On the dashboard, the procedure's row: its second indicator is satisfaction.
    table = client.get(reverse("observatoire:quality")).content.decode()
    row = next(row for row in table.split("<tr>") if f">{busiest.title}</a>" in row)
    assert re.findall(r'data-level="(\w+)"', row)[1] in {"green", "yellow", "red"}
    page = client.get(reverse("observatoire:entry_detail", args=[busiest.pk])).content.decode()
    shown = re.search(r'Satisfaction des usagers</th><td>[^<]*</td><td><p [^>]*data-level="(\w+)"', page)
    assert shown and shown.group(1) in {"green", "yellow", "red"}
