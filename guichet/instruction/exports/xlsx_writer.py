"""The Excel (XLSX) export: a workbook whose sheets' XML is written and zipped as rows come."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from stream_zip import ZIP_32

from .columns import Cell, Number
from .sheets import _XML_UNSAFE, SHEET_MAX_ROWS, _NumberFormats, _sheet_name, _sheets, _unit_text, _xml_clean
from .streaming import _zipped

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
    # "#,##0": thousands grouped (with a space in French), as the texts write them; without a unit,
    # a number is most often a year, written whole ("2024", not "2 024": formatting.quantity_french).
    decimals = "." + "0" * places if places else ""
    if not unit:
        return f"0{decimals}"
    return f'#,##0{decimals}"{_unit_text(unit)}"'


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
