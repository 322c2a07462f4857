"""The export files, written as they are sent: each writer takes the header and an iterator of rows
(rows.export_rows) and yields bytes, so that a StreamingHttpResponse sends the first ones at once and
a background task can write them to a file, in constant memory either way. See
docs/decisions/0007-exports.md for the choice of formats and libraries."""

import codecs
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from itertools import chain
from xml.sax.saxutils import escape, quoteattr

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stream_zip import NO_COMPRESSION_32, ZIP_32, stream_zip

from .columns import Cell, Number

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

    @property
    def typed_cells(self) -> bool:
        """Whether its rows have dates and numbers as such (export_rows' `typed`): the spreadsheets'."""
        return self != ExportFormat.CSV


def export_chunks(*, header: Sequence[str], rows: Iterable[Sequence[Cell]], format: ExportFormat) -> Iterator[bytes]:
    """The file of `format`, as bytes chunks: `rows` of texts for CSV, typed cells welcome in the
    spreadsheets (export_rows(typed=format.typed_cells))."""
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


# --- Typed cells' formats, shared by XLSX and ODS ------------------------------------------------------


class _NumberFormats:
    """The formats of a file's typed cells, numbered as they are first met: dates, dates and times,
    and numbers by their decimals and unit ("1 250,50 €"). Both formats write their styles after the
    sheets, so that a file has only those its cells use."""

    def __init__(self) -> None:
        self.keys: dict[tuple, int] = {}

    def number(self, key: tuple) -> int:
        try:
            return self.keys[key]
        except KeyError:
            self.keys[key] = len(self.keys)
            return self.keys[key]


def _unit_text(unit: str) -> str:
    # The unit after a no-break space, as the texts write it; a quote would end the format's literal.
    return "\u00a0" + unit.replace('"', "") if unit else ""


# --- XLSX ----------------------------------------------------------------------------------------------

SHEET_MAX_ROWS = 1_048_576 - 1  # data rows, under the header
# A sheet's XML stays under the 4 GiB of a ZIP entry without ZIP64 (which older readers refuse).
SHEET_MAX_BYTES = 3_500_000_000
XLSX_CELL_MAX = 32_767  # characters: Excel refuses to open a file with a longer cell
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_FIRST_FORMAT = 164  # the first number of a workbook's own number formats
_XLSX_FIRST_STYLE = 2  # after the default and the header's bold
_EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's serial dates (1900 system)
_DAY = timedelta(days=1)


def _xlsx_format_code(key: tuple) -> str:
    if key[0] == "date":
        return "dd/mm/yyyy"
    if key[0] == "datetime":
        return "dd/mm/yyyy hh:mm"
    _kind, places, unit = key
    # "#,##0": thousands grouped (with a space in French), as the texts write them.
    decimals = "." + "0" * places if places else ""
    unit = f'"{_unit_text(unit)}"' if unit else ""
    return f"#,##0{decimals}{unit}"


def _xlsx_styles(formats: _NumberFormats) -> str:
    """Two cell formats, the default and bold for the header row, then one per typed cells' format."""
    keys = list(formats.keys)
    codes = "".join(
        f'<numFmt numFmtId="{_XLSX_FIRST_FORMAT + n}" formatCode={quoteattr(_xlsx_format_code(key))}/>'
        for n, key in enumerate(keys)
    )
    typed = "".join(
        f'<xf numFmtId="{_XLSX_FIRST_FORMAT + n}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        for n in range(len(keys))
    )
    return (
        f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}">'
        + (f'<numFmts count="{len(keys)}">{codes}</numFmts>' if keys else "")
        + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{_XLSX_FIRST_STYLE + len(keys)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>{typed}</cellXfs>'
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


# What _xlsx_cell has to change in a text: a character to escape or to remove.
_XML_UNSAFE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xlsx_text_cell(reference: str, value: str) -> str:
    # Most texts have nothing to escape, remove, cut or keep spaces of: one search instead of four steps.
    if len(value) > XLSX_CELL_MAX or value != value.strip() or _XML_UNSAFE.search(value):
        return _xlsx_cell(reference, value)
    return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'


def _xlsx_typed_cell(reference: str, value: Cell, formats: _NumberFormats) -> str:
    # A number, a date or a date and time: a number with its format (dates are days since 1899-12-30).
    if isinstance(value, Number):
        number, key = value.value, ("number", value.places, value.unit)
    elif isinstance(value, datetime):
        number, key = (value - _EXCEL_EPOCH) / _DAY, ("datetime",)
    elif isinstance(value, date):
        number, key = (value - _EXCEL_EPOCH.date()).days, ("date",)
    else:
        return _xlsx_cell(reference, str(value))
    return f'<c r="{reference}" s="{_XLSX_FIRST_STYLE + formats.number(key)}"><v>{number}</v></c>'


def _xlsx_sheet(header: Sequence[str], rows: Iterator[Sequence[Cell]], formats: _NumberFormats) -> Iterator[bytes]:
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
            [
                _xlsx_text_cell(f"{letter}{number}", value)
                if type(value) is str
                else _xlsx_typed_cell(f"{letter}{number}", value, formats)
                for letter, value in zip(letters, row, strict=True)
                if value != ""
            ]
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


def xlsx_chunks(*, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """An Excel workbook, streamed: the sheets' XML is compressed and sent as rows come. The package's
    other parts (the list of sheets, relationships, content types, the styles of the typed cells met)
    are written after the sheets, since only then are they known: a ZIP's order does not matter to
    readers, its directory does. `rows` may hold typed cells (export_rows with `typed`)."""
    modified_at = datetime.now()
    sheet_count = 0
    formats = _NumberFormats()

    def members():
        nonlocal sheet_count
        for sheet_rows in _sheets(rows, max_rows=SHEET_MAX_ROWS):
            sheet_count += 1
            sheet = _xlsx_sheet(header, sheet_rows, formats)
            yield f"xl/worksheets/sheet{sheet_count}.xml", modified_at, 0o600, ZIP_32, sheet
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
            "xl/styles.xml": _xlsx_styles(formats),
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

    yield from _zipped(members())


def _zipped(members: Iterable) -> Iterator[bytes]:
    # Level 6 rather than stream-zip's 9: a tenth larger, much faster on repetitive XML.
    yield from stream_zip(
        members,
        chunk_size=CHUNK_BYTES,
        get_compressobj=lambda: zlib.compressobj(wbits=-zlib.MAX_WBITS, level=6),
        extended_timestamps=False,
    )


# --- ODS -----------------------------------------------------------------------------------------------

_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2"'
)
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_ODS_DAY = (
    '<number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/>'
    '<number:text>/</number:text><number:year number:style="long"/>'
)


def _ods_data_style(name: str, key: tuple) -> str:
    if key[0] == "date":
        return f'<number:date-style style:name="{name}">{_ODS_DAY}</number:date-style>'
    if key[0] == "datetime":
        return (
            f'<number:date-style style:name="{name}">{_ODS_DAY}<number:text> </number:text>'
            '<number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/>'
            "</number:date-style>"
        )
    _kind, places, unit = key
    unit = f"<number:text>{escape(_unit_text(unit))}</number:text>" if unit else ""
    return (
        f'<number:number-style style:name="{name}"><number:number number:decimal-places="{places}" '
        f'number:min-decimal-places="{places}" number:min-integer-digits="1" number:grouping="true"/>'
        f"{unit}</number:number-style>"
    )


def _ods_styles(formats: _NumberFormats) -> str:
    """The typed cells' styles, as common styles (styles.xml, written after content.xml, once known)."""
    styles = "".join(
        _ods_data_style(f"N{n}", key)
        + f'<style:style style:name="ce{n}" style:family="table-cell" style:data-style-name="N{n}"/>'
        for key, n in formats.keys.items()
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_ODS_NAMESPACES}>'
        f"<office:styles>{styles}</office:styles></office:document-styles>"
    )


def _ods_text(value: str) -> str:
    # One paragraph per line, as a spreadsheet writes a cell's lines.
    if _XML_UNSAFE.search(value):
        value = escape(_xml_clean(value))
    text = value.replace("\n", "</text:p><text:p>")
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def _ods_typed(value: Cell, formats: _NumberFormats) -> str:
    if isinstance(value, Number):
        kind, attribute, key = "float", f'office:value="{value.value}"', ("number", value.places, value.unit)
    elif isinstance(value, datetime):
        kind, attribute, key = "date", f'office:date-value="{value.isoformat()}"', ("datetime",)
    elif isinstance(value, date):
        kind, attribute, key = "date", f'office:date-value="{value.isoformat()}"', ("date",)
    else:
        return _ods_text(str(value))
    return f'<table:table-cell table:style-name="ce{formats.number(key)}" office:value-type="{kind}" {attribute}/>'


def _ods_content(header: Sequence[str], rows: Iterable[Sequence[Cell]], formats: _NumberFormats) -> Iterator[bytes]:
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NAMESPACES}>'
        "<office:body><office:spreadsheet>"
    ).encode()
    header_row = "".join(_ods_text(label) for label in header)
    for number, sheet_rows in enumerate(_sheets(rows, max_rows=SHEET_MAX_ROWS), start=1):
        yield (
            f"<table:table table:name={quoteattr(_sheet_name(number))}>"
            f'<table:table-column table:number-columns-repeated="{max(len(header), 1)}"/>'
            f"<table:table-header-rows><table:table-row>{header_row}</table:table-row></table:table-header-rows>"
        ).encode()
        parts: list[str] = []
        for row in sheet_rows:
            cells = "".join(
                [
                    (_ods_text(value) if type(value) is str else _ods_typed(value, formats))
                    if value != ""
                    else "<table:table-cell/>"
                    for value in row
                ]
            )
            parts.append(f"<table:table-row>{cells}</table:table-row>")
            if len(parts) >= 200:
                yield "".join(parts).encode()
                parts.clear()
        parts.append("</table:table>")
        yield "".join(parts).encode()
    yield b"</office:spreadsheet></office:body></office:document-content>"


def ods_chunks(*, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """An OpenDocument spreadsheet, streamed: content.xml written row by row into a ZIP sent as it goes
    (its `mimetype` first and stored, as the format asks), the styles of the typed cells met after it.
    `rows` may hold typed cells (export_rows with `typed`)."""
    modified_at = datetime.now()
    formats = _NumberFormats()

    def members():
        yield "mimetype", modified_at, 0o600, NO_COMPRESSION_32, (b"application/vnd.oasis.opendocument.spreadsheet",)
        yield "META-INF/manifest.xml", modified_at, 0o600, ZIP_32, (_ODS_MANIFEST.encode(),)
        yield "content.xml", modified_at, 0o600, ZIP_32, _ods_content(header, rows, formats)
        yield "styles.xml", modified_at, 0o600, ZIP_32, (_ods_styles(formats).encode(),)

    yield from _zipped(members())
