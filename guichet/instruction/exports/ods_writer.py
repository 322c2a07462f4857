"""The OpenDocument spreadsheet (ODS) export: content.xml written row by row and zipped as it goes."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

from stream_zip import NO_COMPRESSION_32, ZIP_32

from .columns import Cell, Number
from .sheets import _XML_UNSAFE, SHEET_MAX_ROWS, _NumberFormats, _sheet_name, _sheets, _unit_text, _xml_clean
from .streaming import _zipped

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
    # Grouped with a unit (amounts, areas); without one, most often a year: "2024", not "2 024".
    grouping = "true" if unit else "false"
    unit = f"<number:text>{escape(_unit_text(unit))}</number:text>" if unit else ""
    return (
        f'<number:number-style style:name="{name}"><number:number number:decimal-places="{places}" '
        f'number:min-decimal-places="{places}" number:min-integer-digits="1" number:grouping="{grouping}"/>'
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
