"""Answers as a person reads them: French numbers, dates, sizes, phone numbers and bank details.
Used by the screens (the form engine's pages and summary) and by the instructors' exports."""

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


def number_french(value: Any, *, places: int | None = None) -> str:
    """1234567.5 → "1 234 567,5"; with `places`, rounded to that many decimals when not whole."""
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
    grouped = f"{int(whole):,}".replace(",", NARROW_NBSP)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def with_unit(text: str, unit: str | None) -> str:
    return f"{text}\u00a0{unit}" if unit else text


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


def phone_french(value: Any) -> str:
    """+33612345678 → "06 12 34 56 78"; foreign numbers in the international format."""
    try:
        number = phonenumbers.parse(str(value), "FR")
    except phonenumbers.NumberParseException:
        return str(value)
    national = phonenumbers.region_code_for_number(number) == "FR"
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def siret_french(value: Any) -> str:
    return stdnum_siret.format(str(value)) if stdnum_siret.is_valid(str(value)) else str(value)


def iban_french(value: Any) -> str:
    try:
        return IBAN(str(value)).formatted
    except SchwiftyException:
        return str(value)


def answer_lines(spec: FormField, value: Any) -> list[str]:
    """A cleaned answer in French, on one or more lines, as the summary shows it (and the exports
    write it). Blocks and checkboxes are the caller's: they depend on what is around the value."""
    kind = spec.type
    labels = {option.value: option.label for option in spec.options}
    if kind in {FieldType.INTEGER, FieldType.DECIMAL}:
        return [with_unit(number_french(value), spec.unit)]
    if kind == FieldType.COMPUTED:
        return [computed_french(value, spec.unit)]
    if kind == FieldType.DATE:
        return [date_french(value)]
    if kind == FieldType.DATETIME:
        return [datetime_french(value)]
    if kind == FieldType.YES_NO:
        return ["Oui" if value else "Non"]
    if kind == FieldType.CHOICE:
        return [labels.get(value) or f"Autre : {value}"]
    if kind == FieldType.MULTIPLE_CHOICE:
        return [labels.get(choice, choice) for choice in value]
    if kind == FieldType.ADDRESS:
        return [value.get("street", ""), f"{value.get('postcode', '')} {value.get('city', '')}".strip()]
    if kind == FieldType.FILE:
        return [f"{item.get('name')} ({size_french(item.get('size'))})" for item in value]
    if kind == FieldType.PHONE:
        return [phone_french(value)]
    if kind == FieldType.SIRET:
        return [siret_french(value)]
    if kind == FieldType.IBAN:
        return [iban_french(value)]
    return str(value).splitlines() or [str(value)]
