"""The observatory's open data through the API: the same tables, columns and values as the CSV
and JSON downloads of /observatoire/ (documented in docs/open-data.md). Public: no key needed."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from guichet.observatory import opendata
from guichet.observatory import selectors as obs

router = Router(tags=["observatoire"], auth=None)


class ColumnOut(Schema):
    name: str
    description: str


class OpenDataTable(Schema):
    table: str
    title: str
    generated_at: datetime
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]


@router.get("/quality", response=OpenDataTable, summary="Qualité des démarches")
def quality(request: HttpRequest):
    return opendata.table_document(opendata.QUALITY, obs.quality_rows(), generated_at=timezone.now())


@router.get("/programme", response=OpenDataTable, summary="Programme de dématérialisation")
def programme(request: HttpRequest):
    return opendata.table_document(opendata.PROGRAMME, obs.programme_entries(), generated_at=timezone.now())


@router.get("/barometer", response=OpenDataTable, summary="Baromètre des résultats")
def barometer(request: HttpRequest):
    rows = [row for summary in obs.barometer() for row in summary.history]
    return opendata.table_document(opendata.BAROMETER, rows, generated_at=timezone.now())
