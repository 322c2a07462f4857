"""The demo data give a believable dashboard: opinions, procedures not yet online with costs and
drifts, other channels, barometer indicators with targets and values, computed figures."""

import pytest
from django.urls import reverse

from guichet.dossiers.models import Opinion
from guichet.observatory.models import IndicatorGoal, IndicatorValue, ProcedureQuality, ProgrammeEntry
from guichet.observatory.selectors import programme_entries, programme_figures, quality_rows

pytestmark = pytest.mark.django_db


def test_the_demo_dashboard(client, demo):
    assert Opinion.objects.count() > 50
    assert ProgrammeEntry.objects.filter(procedure__isnull=True).count() >= 4
    assert ProcedureQuality.objects.count() == 4  # the four published procedures
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
