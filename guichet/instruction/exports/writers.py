"""The export files, written as they are sent: each writer takes the header and an iterator of rows
(rows.export_rows) and yields bytes, so that a StreamingHttpResponse sends the first ones at once and
a background task can write them to a file, in constant memory either way. See
docs/decisions/0007-exports.md for the choice of formats and libraries."""

import codecs
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import chain
from xml.sax.saxutils import escape

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stream_write_ods import stream_write_ods
from stream_zip import ZIP_32, stream_zip

CHUNK_BYTES = 64 * 1024


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


def export_chunks(*, header: Sequence[str], rows: Iterable[Sequence[str]], format: ExportFormat) -> Iterator[bytes]:
    """The file of `format`, as bytes chunks."""
    writer = {ExportFormat.CSV: csv_chunks, ExportFormat.XLSX: xlsx_chunks, ExportFormat.ODS: ods_chunks}
    return writer[ExportFormat(format)](header=header, rows=rows)


# --- CSV ---------------------------------------------------------------------------------------------

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection): an
# applicant's answer "=HYPERLINK(…)" must reach the instructor as text. Numbers, negative ones
# included, are left as they are, with their unit ("-12 €": no operator, no formula).
_FORMULA_STARTS = frozenset("=+-@\t\r")
_FRENCH_NUMBER = re.compile(r"-?\d[\d\u202f\u00a0 ]*(,\d+)?(\u00a0[\w€$£%°²³/. ]{1,20})?")


def _formula_safe(value: str) -> str:
    if value[:1] in _FORMULA_STARTS and not _FRENCH_NUMBER.fullmatch(value):
        return "'" + value
    return value


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
        and _FORMULA_STARTS.isdisjoint([value[:1] for value in row])
    ):
        if "\n" not in line:
            return line
        return ";".join([f'"{value}"' if "\n" in value else value for value in row])
    if len(row) == 1 and not row[0]:
        return '""'  # a row of one empty cell, which would read as no cell at all
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


# --- XML text shared by XLSX and ODS -------------------------------------------------------------------

# Characters that XML 1.0 forbids (control characters, lone surrogates): one of them in an answer
# would make the whole file unreadable.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_clean(value: str) -> str:
    return _XML_FORBIDDEN.sub("", value)


def _sheet_name(number: int) -> str:
    name = gettext("Dossiers")
    return name if number == 1 else f"{name} ({number})"


def _sheets(rows: Iterable[Sequence[str]], *, max_rows: int) -> Iterator[Iterator[Sequence[str]]]:
    """The rows cut into sheets of at most `max_rows` (a spreadsheet has 1,048,576 rows, header
    included); always at least one sheet, so that an empty export still opens with its header."""
    rows = iter(rows)
    first = next(rows, None)
    yield chain([first], _take(rows, max_rows - 1)) if first is not None else iter(())
    while (first := next(rows, None)) is not None:
        yield chain([first], _take(rows, max_rows - 1))


def _take(rows: Iterator[Sequence[str]], count: int) -> Iterator[Sequence[str]]:
    for _index, row in zip(range(count), rows, strict=False):
        yield row


# --- XLSX ----------------------------------------------------------------------------------------------

SHEET_MAX_ROWS = 1_048_576 - 1  # data rows, under the header
# A sheet's XML stays under the 4 GiB of a ZIP entry without ZIP64 (which older readers refuse).
SHEET_MAX_BYTES = 3_500_000_000
XLSX_CELL_MAX = 32_767  # characters: Excel refuses to open a file with a longer cell
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Two cell formats: the default, and bold for the header row.
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, remainder = divmod(index - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


def _xlsx_cell(reference: str, value: str, style: str = "") -> str:
    value = _xml_clean(value)[:XLSX_CELL_MAX]
    space = ' xml:space="preserve"' if value != value.strip() else ""
    # An inline string: Excel shows it as text and never evaluates it, "=…" included.
    return f'<c r="{reference}"{style} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


def _xlsx_sheet(header: Sequence[str], rows: Iterator[Sequence[str]]) -> Iterator[bytes]:
    letters = _column_letters(len(header))
    header_cells = "".join(
        _xlsx_cell(f"{letter}1", label, ' s="1"') for letter, label in zip(letters, header, strict=True)
    )
    yield (
        f'{_XML_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
        # The header row stays in view while scrolling.
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        f'<cols><col min="1" max="{max(len(header), 1)}" width="22" customWidth="1"/></cols>'
        f'<sheetData><row r="1">{header_cells}</row>'
    ).encode()
    parts: list[str] = []
    written = 0
    for number, row in enumerate(rows, start=2):
        cells = "".join(
            _xlsx_cell(f"{letter}{number}", value) for letter, value in zip(letters, row, strict=True) if value
        )
        parts.append(f'<row r="{number}">{cells}</row>')
        if len(parts) >= 200:
            chunk = "".join(parts).encode()
            yield chunk
            parts.clear()
            written += len(chunk)
            if written >= SHEET_MAX_BYTES:
                break  # the rows not taken yet go on the next sheet
    parts.append("</sheetData></worksheet>")
    yield "".join(parts).encode()


def xlsx_chunks(*, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[bytes]:
    """An Excel workbook, streamed: the sheets' XML is compressed and sent as rows come. The package's
    other parts (the list of sheets, relationships, content types) are written after the sheets, since
    only then is their number known: a ZIP's order does not matter to readers, its directory does."""
    modified_at = datetime.now()
    sheet_count = 0

    def members():
        nonlocal sheet_count
        for sheet_rows in _sheets(rows, max_rows=SHEET_MAX_ROWS):
            sheet_count += 1
            yield f"xl/worksheets/sheet{sheet_count}.xml", modified_at, 0o600, ZIP_32, _xlsx_sheet(header, sheet_rows)
        numbers = range(1, sheet_count + 1)
        sheets = "".join(f'<sheet name="{escape(_sheet_name(n))}" sheetId="{n}" r:id="rId{n}"/>' for n in numbers)
        workbook = (
            f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>{sheets}</sheets></workbook>'
        )
        worksheet_type = f"{_RELATIONSHIPS}/worksheet"
        workbook_relationships = "".join(
            f'<Relationship Id="rId{n}" Type="{worksheet_type}" Target="worksheets/sheet{n}.xml"/>' for n in numbers
        )
        workbook_relationships += (
            f'<Relationship Id="rId{sheet_count + 1}" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        )
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in numbers
        )
        parts = {
            "xl/styles.xml": _STYLES,
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": (
                f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">{workbook_relationships}</Relationships>'
            ),
            "_rels/.rels": (
                f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
                f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
            "[Content_Types].xml": (
                f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                f"{sheet_types}</Types>"
            ),
        }
        for name, text in parts.items():
            yield name, modified_at, 0o600, ZIP_32, (text.encode(),)

    # Level 6 rather than stream-zip's 9: a tenth larger, much faster on repetitive XML.
    yield from stream_zip(
        members(),
        chunk_size=CHUNK_BYTES,
        get_compressobj=lambda: zlib.compressobj(wbits=-zlib.MAX_WBITS, level=6),
        extended_timestamps=False,
    )


# --- ODS -----------------------------------------------------------------------------------------------


def _ods_row(row: Sequence[str]) -> list[str | None]:
    # An empty cell is written as an empty cell (None), not as an empty text.
    return [_xml_clean(value) if value else None for value in row]


def ods_chunks(*, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[bytes]:
    """An OpenDocument spreadsheet, streamed by stream-write-ods (content.xml written row by row into
    a ZIP that stream-zip sends as it goes)."""

    def sheets():
        for number, sheet_rows in enumerate(_sheets(rows, max_rows=SHEET_MAX_ROWS), start=1):
            yield _sheet_name(number), [_xml_clean(label) for label in header], map(_ods_row, sheet_rows)

    yield from stream_write_ods(sheets(), chunk_size=CHUNK_BYTES)
