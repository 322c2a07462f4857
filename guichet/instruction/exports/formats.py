"""The export files, written as they are sent: each writer takes the header and an iterator of rows
(rows.export_rows) and yields bytes, so that a StreamingHttpResponse sends the first ones at once and
a background task can write them to a file, in constant memory either way. See
docs/decisions/0007-exports.md for the choice of formats and libraries.

This module holds the formats offered and picks their writer: csv_writer.py, xlsx_writer.py and
ods_writer.py, the two spreadsheets sharing sheets.py, every writer streaming.py."""

from collections.abc import Iterable, Iterator, Sequence

from django.db import models
from django.utils.translation import gettext_lazy as _

from .columns import Cell
from .csv_writer import csv_chunks
from .ods_writer import ods_chunks
from .xlsx_writer import xlsx_chunks


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (tableur, séparateur point-virgule)")
    XLSX = "xlsx", _("Excel (XLSX)")
    ODS = "ods", _("LibreOffice (ODS)")

    @property
    def content_type(self) -> str:
        return {
            "csv": "text/csv; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "ods": "application/vnd.oasis.opendocument.spreadsheet",
        }[self.value]

    @property
    def extension(self) -> str:
        return self.value

    @property
    def typed_cells(self) -> bool:
        """Whether its rows have dates and numbers as such (export_rows' `typed`): the spreadsheets'."""
        return self != ExportFormat.CSV


def export_chunks(*, header: Sequence[str], rows: Iterable[Sequence[Cell]], format: ExportFormat) -> Iterator[bytes]:
    """The file of `format`, as bytes chunks: `rows` of texts for CSV, typed cells welcome in the
    spreadsheets (export_rows(typed=format.typed_cells))."""
    writer = {ExportFormat.CSV: csv_chunks, ExportFormat.XLSX: xlsx_chunks, ExportFormat.ODS: ods_chunks}
    return writer[ExportFormat(format)](header=header, rows=rows)
