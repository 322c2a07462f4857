"""The observatory's charts: DSFR Chart's web components (`<line-chart>`, `<bar-chart>`, served from
our static files, see config/settings STATICFILES_DIRS) fed with JSON series. Each chart stands next
to the data table that holds the same figures, which is what screen readers and keyboards use: the
chart itself is hidden from them."""

import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats


@dataclass(frozen=True)
class Chart:
    tag: str  # the web component: "line-chart" or "bar-chart"
    title: str
    x: str  # JSON: one list of abscissas per series
    y: str  # JSON: one list of values per series
    names: str  # JSON: the series' names
    unit: str = ""


def _chart(tag: str, title: str, labels: list[str], series: dict[str, list], unit: str = "") -> Chart | None:
    if not labels or not series:
        return None
    return Chart(
        tag=tag,
        title=title,
        x=json.dumps([labels] * len(series), ensure_ascii=False),
        y=json.dumps([[None if value is None else float(value) for value in values] for values in series.values()]),
        names=json.dumps(list(series), ensure_ascii=False),
        unit=unit,
    )


def months_charts(months: Sequence) -> list[Chart]:
    """A procedure's monthly series (observatory.models.ProcedureMonth, oldest first): volumes, and
    processing times."""
    labels = [formats.date_format(month.month, "M Y") for month in months]
    charts = [
        _chart(
            "bar-chart",
            "Dossiers déposés et décisions par mois",
            labels,
            {
                "Dossiers déposés": [month.submitted_count for month in months],
                "Décisions": [month.decided_count for month in months],
            },
        ),
        _chart(
            "line-chart",
            "Délai de traitement par mois (jours)",
            labels,
            {
                "Délai médian": [month.processing_median_days for month in months],
                "9e décile": [month.processing_p90_days for month in months],
            },
            unit="jours",
        ),
    ]
    return [chart for chart in charts if chart is not None]


def barometer_chart(summary) -> Chart | None:
    """An indicator's values over time, one line per zone (observatory.selectors.BarometerSummary)."""
    dated = [row for row in summary.history if row.date is not None]
    dates = sorted({row.date for row in dated})
    by_zone: dict[str, dict] = {}
    for row in dated:
        by_zone.setdefault(row.zone, {})[row.date] = row.value
    series = {zone: [values.get(day) for day in dates] for zone, values in by_zone.items()}
    labels = [formats.date_format(day, "d/m/Y") for day in dates]
    return _chart("line-chart", f"{summary.indicator.name} dans le temps", labels, series, unit=summary.indicator.unit)
