"""The observatory's open data through the API: the same tables, columns and values as the CSV
and JSON downloads of /observatoire/ (documented in docs/open-data.md). Public: no key needed."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from guichet.core.replicas import reads_from_replica
from guichet.observatory import opendata
from guichet.observatory import selectors as obs

from .errors import responses

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


@router.get("/quality", response=responses(OpenDataTable, key=False, not_found=True), summary="Qualité des démarches")
@reads_from_replica
def quality(request: HttpRequest, edition: str = ""):
    """The latest edition of the quality table by default; `edition=2026-T3` for another quarter,
    `edition=toutes` for every edition (one row per procedure and edition)."""
    edition = edition.strip()
    if edition == obs.ALL_EDITIONS:
        rows = obs.quality_rows_every_edition()
    elif edition and edition not in obs.quality_editions():
        raise HttpError(404, "Cette édition du tableau n’existe pas.")
    else:
        rows = obs.quality_rows(edition=edition or None)
    return opendata.table_document(opendata.QUALITY, rows, generated_at=timezone.now())


@router.get("/programme", response=responses(OpenDataTable, key=False), summary="Programme de dématérialisation")
@reads_from_replica
def programme(request: HttpRequest):
    return opendata.table_document(opendata.PROGRAMME, obs.programme_entries(), generated_at=timezone.now())


@router.get("/barometer", response=responses(OpenDataTable, key=False), summary="Baromètre des résultats")
@reads_from_replica
def barometer(request: HttpRequest):
    rows = [row for summary in obs.barometer() for row in summary.history]
    return opendata.table_document(opendata.BAROMETER, rows, generated_at=timezone.now())
