"""Answers as a person reads them: French numbers, dates, sizes, phone numbers and bank details.
Used by the screens (the form engine's pages and summary) and by the instructors' exports."""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.fr import siret as stdnum_siret

from .definition import FieldType, FormField

NARROW_NBSP = "\u202f"  # the thin space that French typography puts between thousands

CONTENT_TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/tiff": "TIFF",
    "text/plain": "texte",
    "text/csv": "CSV",
    "application/zip": "ZIP",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
}


def number_french(value: Any, *, places: int | None = None, group_four: bool = True) -> str:
    """1234567.5 → "1 234 567,5"; with `places`, rounded to that many decimals when not whole.
    Without `group_four`, a number of four digits stays whole ("2024", as French typography writes
    years and the SI allows for any four-digit number); longer ones are grouped all the same."""
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral():
        number = number.to_integral()  # 1.0, as a JSON float, reads 1
    elif places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign, text = ("-", format(-number, "f")) if number < 0 else ("", format(number, "f"))
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", NARROW_NBSP) if group_four or len(whole) > 4 else whole
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def with_unit(text: str, unit: str | None) -> str:
    return f"{text}\u00a0{unit}" if unit else text


def quantity_french(value: Any, unit: str | None) -> str:
    """An answer to a number field, or one of its limits, as every screen, email, act and export
    writes it: with its unit, thousands grouped ("1 200 m²", "2 501 €"); without a unit, a
    four-digit number stays whole, for it is most often a year ("2024", never "2 024")."""
    return with_unit(number_french(value, group_four=bool(unit)), unit)


def computed_french(value: Any, unit: str | None) -> str:
    """A computed value: a number, rounded to two decimals, with its unit; or a text as it is."""
    try:
        Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return with_unit(number_french(value, places=2), unit)


def date_french(value: Any) -> str:
    """An ISO date as jj/mm/aaaa."""
    try:
        return f"{date.fromisoformat(str(value)):%d/%m/%Y}"
    except ValueError:
        return str(value)


def datetime_french(value: Any) -> str:
    """An ISO date and time as "jj/mm/aaaa à 14 h 30"."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{moment:%d/%m/%Y} à {moment.hour}\u00a0h\u00a0{moment:%M}"


def size_french(size: Any) -> str:
    """A size in bytes as "850 octets", "12 ko" or "1,5 Mo"."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return f"{size}\u00a0octet{'s' if size > 1 else ''}"
    if size < 1024 * 1024:
        return f"{number_french(Decimal(size) / 1024, places=0)}\u00a0ko"
    return f"{number_french(Decimal(size) / (1024 * 1024), places=1)}\u00a0Mo"


def content_types_french(content_types: list[str]) -> str:
    """["application/pdf", "image/png"] → "PDF, PNG"."""
    return ", ".join(dict.fromkeys(CONTENT_TYPE_NAMES.get(kind, kind) for kind in content_types))


# Stored answers are in E.164: a French number outside the 08 range reads "0X XX XX XX XX", which is
# what phonenumbers gives too (tests/procedures/test_formatting.py checks it), at a tenth of the cost:
# exports format one per dossier.
_FRENCH_E164 = re.compile(r"\+33[1-79]\d{8}")


def phone_french(value: Any) -> str:
    """+33612345678 → "06 12 34 56 78"; foreign numbers in the international format."""
    text = str(value)
    if _FRENCH_E164.fullmatch(text):
        return f"0{text[3]} {text[4:6]} {text[6:8]} {text[8:10]} {text[10:]}"
    try:
        number = phonenumbers.parse(str(value), "FR")
    except phonenumbers.NumberParseException:
        return str(value)
    national = phonenumbers.region_code_for_number(number) == "FR"
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


# Luhn's check on ASCII digits: each digit's value, and in even places from the right its double's
# digits added, as translation tables, so that a check is two sums in C.
_LUHN_PLAIN = bytes.maketrans(b"0123456789", bytes(range(10)))
_LUHN_DOUBLED = bytes.maketrans(b"0123456789", bytes((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)))


def _luhn_valid(digits: str | bytes) -> bool:
    data = digits.encode() if isinstance(digits, str) else digits
    return (sum(data[-1::-2].translate(_LUHN_PLAIN)) + sum(data[-2::-2].translate(_LUHN_DOUBLED))) % 10 == 0


_SIRET = re.compile(r"[0-9]{14}")
_LA_POSTE = "356000000"  # its establishments follow a rule of their own: left to stdnum


def siret_french(value: Any) -> str:
    """ "11004601800013" → "110 046 018 00013"; an invalid number as it is."""
    text = str(value)
    # A stored SIRET is 14 digits already checked: the same checks as stdnum's, without its generic
    # cleaning, which costs more than the whole rest of an export's row.
    if _SIRET.fullmatch(text) and text[:9] != _LA_POSTE:
        data = text.encode()
        if _luhn_valid(data[:9]) and _luhn_valid(data):
            return f"{text[:3]} {text[3:6]} {text[6:9]} {text[9:]}"
    return stdnum_siret.format(text) if stdnum_siret.is_valid(text) else text


def iban_french(value: Any) -> str:
    try:
        return IBAN(str(value)).formatted
    except SchwiftyException:
        return str(value)


def _labels(spec: FormField) -> dict[str, str]:
    return {option.value: option.label for option in spec.options}


def _address_lines(spec: FormField, value: Any) -> list[str]:
    return [value.get("street", ""), f"{value.get('postcode', '')} {value.get('city', '')}".strip()]


def _text_lines(spec: FormField, value: Any) -> list[str]:
    return str(value).splitlines() or [str(value)]


# One function per type (a table rather than a chain of tests: exports call it for every answer).
_LINES: dict[FieldType, Callable[[FormField, Any], list[str]]] = {
    FieldType.INTEGER: lambda spec, value: [quantity_french(value, spec.unit)],
    FieldType.DECIMAL: lambda spec, value: [quantity_french(value, spec.unit)],
    FieldType.COMPUTED: lambda spec, value: [computed_french(value, spec.unit)],
    FieldType.DATE: lambda spec, value: [date_french(value)],
    FieldType.DATETIME: lambda spec, value: [datetime_french(value)],
    FieldType.YES_NO: lambda spec, value: ["Oui" if value else "Non"],
    FieldType.CHOICE: lambda spec, value: [_labels(spec).get(value) or f"Autre : {value}"],
    FieldType.MULTIPLE_CHOICE: lambda spec, value: [_labels(spec).get(choice, choice) for choice in value],
    FieldType.ADDRESS: _address_lines,
    FieldType.FILE: lambda spec, value: [f"{item.get('name')} ({size_french(item.get('size'))})" for item in value],
    FieldType.PHONE: lambda spec, value: [phone_french(value)],
    FieldType.SIRET: lambda spec, value: [siret_french(value)],
    FieldType.IBAN: lambda spec, value: [iban_french(value)],
}


def answer_lines(spec: FormField, value: Any) -> list[str]:
    """A cleaned answer in French, on one or more lines, as the summary shows it (and the exports
    write it). Blocks and checkboxes are the caller's: they depend on what is around the value."""
    return _LINES.get(spec.type, _text_lines)(spec, value)


def answer_lines_function(kind: FieldType) -> Callable[[FormField, Any], list[str]]:
    """answer_lines for the fields of one type: for a caller that formats many answers of one field."""
    return _LINES.get(kind, _text_lines)
