"""The CSV export: semicolon-separated, formula-safe, as French spreadsheets open it."""

import codecs
import re
from collections.abc import Iterable, Iterator, Sequence

from .streaming import CHUNK_BYTES

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection): an
# applicant's answer "=HYPERLINK(…)" must reach the instructor as text. Numbers, negative ones
# included, are left as they are, with their unit ("-12 €": no operator, no formula).
_FORMULA_STARTS = frozenset("=+-@\t\r")
_FRENCH_NUMBER = re.compile(r"-?\d[\d\u202f\u00a0 ]*(,\d+)?(\u00a0[\w€$£%°²³/. ]{1,20})?")


def _formula_safe(value: str) -> str:
    if value[:1] in _FORMULA_STARTS and not _FRENCH_NUMBER.fullmatch(value):
        return "'" + value
    return value


# A cell that starts like a formula, in a row joined with ";" and no ";" in its cells (a search that
# starts at each ";": twice as fast as looking at each cell's first character).
_FORMULA_AFTER_SEPARATOR = re.compile(";[-=+@\t]").search
# What makes the csv module quote a cell (QUOTE_MINIMAL, ";" and "\r\n"), a quote being doubled.
_QUOTED = re.compile('[;"\r\n]')


def _csv_cell(value: str) -> str:
    value = _formula_safe(value)
    return '"' + value.replace('"', '""') + '"' if _QUOTED.search(value) else value


def _csv_line(row: Sequence[str]) -> str:
    """A row as csv.writer(delimiter=";") writes it, its cells formula-safe (a test compares the two),
    done in C by joining and searching: three times as fast as the csv module's cell-by-cell work."""
    line = ";".join(row)
    if (
        line
        and line.count(";") == len(row) - 1
        and '"' not in line
        and "\r" not in line
        and line[:1] not in _FORMULA_STARTS
        and not _FORMULA_AFTER_SEPARATOR(line)
    ):
        if "\n" not in line:
            return line
        return ";".join([f'"{value}"' if "\n" in value else value for value in row])
    if len(row) == 1 and not row[0]:
        return '""'  # a row of one empty cell, which would read as no cell at all
    if line and '"' not in line and "\r" not in line:
        # Some cells hold ";" (a repeating block's rows, a text): only those go through _csv_cell, and
        # the others' formula check is still one search of the line. A cell after a separator that
        # was quoted, or a ";" followed by an operator inside a quoted cell, makes the search find
        # one: the line is then written cell by cell, below.
        line = ";".join([value if ";" not in value and "\n" not in value else _csv_cell(value) for value in row])
        if line[:1] not in _FORMULA_STARTS and not _FORMULA_AFTER_SEPARATOR(line):
            return line
    return ";".join([_csv_cell(value) for value in row])


def csv_chunks(*, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[bytes]:
    """CSV as French spreadsheets open it with a double click: UTF-8 with a byte order mark (without it
    Excel reads Windows-1252 and garbles accents) and ";" between cells (Excel in French splits on the
    list separator of the locale, which is ";" because the comma is the decimal separator). `rows` are
    texts (export_rows without `typed`)."""
    # The header leaves at once: the download starts before the first dossier is read.
    yield codecs.BOM_UTF8 + (_csv_line(header) + "\r\n").encode()
    # Lines are joined and encoded CHUNK_BYTES or so at a time, the csv module's cell-by-cell work
    # done in C by joining, counting and one search per row (three times as fast).
    lines: list[str] = []
    size = 0
    for row in rows:
        line = _csv_line(row)
        lines.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            lines.append("")
            yield "\r\n".join(lines).encode()
            lines.clear()
            size = 0
    if lines:
        lines.append("")
        yield "\r\n".join(lines).encode()
