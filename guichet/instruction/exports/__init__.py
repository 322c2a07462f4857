"""The back office's exports of the dossiers of a procedure: the list an instructor filtered, as CSV,
XLSX or ODS with the columns they chose, and a ZIP of the selected dossiers' attachments. Everything
is streamed in constant memory (decision 0007); the screens wire these to responses or tasks.

    columns = export_columns_chosen(procedure=procedure, ids=["number", "state", "field:objet"])
    rows = export_rows(queryset=filtered_dossiers, columns=columns, typed=ExportFormat.XLSX.typed_cells)
    chunks = export_chunks(header=export_header(columns), rows=rows, format=ExportFormat.XLSX)
"""

from datetime import date

from django.utils import timezone

from guichet.procedures.models import Procedure

from .attachments import attachment_file_name, attachments_zip_chunks
from .columns import Cell, ExportColumn, Number, answer_text, export_columns_available, export_columns_chosen
from .csv_writer import csv_chunks
from .formats import ExportFormat, export_chunks
from .ods_writer import ods_chunks
from .rows import export_header, export_rows
from .xlsx_writer import xlsx_chunks


def export_filename(*, procedure: Procedure, extension: str, on: date | None = None) -> str:
    """The name the download suggests: "dossiers-<démarche>-2026-03-25.csv"."""
    return f"dossiers-{procedure.slug}-{on or timezone.localdate():%Y-%m-%d}.{extension}"


__all__ = [
    "Cell",
    "ExportColumn",
    "ExportFormat",
    "Number",
    "answer_text",
    "attachment_file_name",
    "attachments_zip_chunks",
    "csv_chunks",
    "export_chunks",
    "export_columns_available",
    "export_columns_chosen",
    "export_filename",
    "export_header",
    "export_rows",
    "ods_chunks",
    "xlsx_chunks",
]
