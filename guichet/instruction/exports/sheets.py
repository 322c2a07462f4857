"""What the two spreadsheet writers (xlsx_writer.py, ods_writer.py) share: the XML text of a cell, the
rows cut into sheets, and the formats of the typed cells (dates, numbers with their unit)."""

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

from django.utils.translation import gettext

SHEET_MAX_ROWS = 1_048_576 - 1  # data rows, under the header


# --- XML text shared by XLSX and ODS -------------------------------------------------------------------

# Characters that XML 1.0 forbids (control characters, lone surrogates): one of them in an answer
# would make the whole file unreadable.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_clean(value: str) -> str:
    return _XML_FORBIDDEN.sub("", value)


# What _xlsx_cell has to change in a text: a character to escape or to remove.
_XML_UNSAFE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


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
