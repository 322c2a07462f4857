"""The observatory's open data downloads: each public table as CSV or JSON (the columns are in
observatory/opendata.py, described in docs/open-data.md)."""

from django.http import Http404, HttpResponse
from django.utils import timezone

from guichet.core.replicas import reads_from_replica
from guichet.observatory import opendata
from guichet.observatory import selectors as obs

from .pages import _edition_asked

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def _download(table: opendata.Table, items, *, fmt: str, filename: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Format inconnu : csv ou json.")
    if fmt == "csv":
        body = opendata.table_csv(table, items)
    else:
        body = opendata.table_json(table, items, generated_at=timezone.now())
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def quality_rows_asked(request) -> list[obs.QualityRow]:
    """The rows of the edition asked for (the latest by default, or every one: `toutes`)."""
    edition = _edition_asked(request, obs.quality_editions(), every=True)
    if edition == obs.ALL_EDITIONS:
        return obs.quality_rows_every_edition()
    return obs.quality_rows(edition=edition)


@reads_from_replica
def quality_download(request, fmt: str):
    return _download(opendata.QUALITY, quality_rows_asked(request), fmt=fmt, filename="observatoire-qualite")


@reads_from_replica
def entry_months_download(request, pk: int, fmt: str):
    entry = obs.entry_public(pk)
    if entry is None:
        raise Http404("Cette démarche n’est pas dans le programme.")
    return _download(opendata.MONTHS, obs.entry_months(entry), fmt=fmt, filename=f"observatoire-demarche-{pk}-mois")


@reads_from_replica
def programme_download(request, fmt: str):
    return _download(opendata.PROGRAMME, obs.programme_entries(), fmt=fmt, filename="observatoire-programme")


@reads_from_replica
def barometer_download(request, fmt: str):
    rows = [row for summary in obs.barometer() for row in summary.history]
    return _download(opendata.BAROMETER, rows, fmt=fmt, filename="observatoire-barometre")
