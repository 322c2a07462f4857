"""Example answers: for each field type, a valid answer to a field, drawn from a seeded
`random.Random` only (the same seed gives the same answer) and relative to a given `today`, never
to the clock. They fill the demo's dossiers and the benchmarks'.

These generators are the `example` column of the catalogue of answer types (`answers.ANSWER_TYPES`),
beside each type's cleaner, and every example passes that cleaner unchanged. The words come from the
caller's `ExampleMaterial`: plain ones by default; hints, keyed by field id, give a field a value of
its own (a name, a number of members...) that the type's rules then fit."""

import random
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any, NamedTuple

from stdnum import luhn

from .definition import FieldType, FormField

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
FILE_EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
CONTENT_TYPES = {"pdf": PDF, "jpg": JPEG, "jpeg": JPEG, "png": PNG}
CENT = Decimal("0.01")


class Commune(NamedTuple):
    name: str
    postcode: str
    insee_code: str


Hint = Callable[["ExampleDraw"], Any]


@dataclass(frozen=True)
class ExampleMaterial:
    """What examples are made of. Each hint table is keyed by field id, or by an ending of it after
    an underscore: "titulaire_nom" takes the hint of "nom" (the longest ending wins).

    `values` give the answer itself, or None for no suggestion; the type's rules still apply (a text
    is cut to its maximum length, a number kept within its bounds, a choice kept only if offered). A
    text field with a `pattern` needs one. `date_spans` are the usual dates of a field (within its
    bounds), `communes_by_field` where an address usually is, `file_names` the usual names of a
    field's files and their preferred content type."""

    texts: Sequence[str] = ("Voir la pièce jointe", "Sans objet", "Non communiqué")
    paragraphs: Sequence[str] = (
        "Les informations détaillées figurent dans les pièces jointes au dossier.",
        "Nous restons à la disposition du service pour tout renseignement complémentaire.",
        "La situation n’a pas changé depuis la précédente demande.",
    )
    first_names: Sequence[str] = ("Camille", "Dominique", "Claude")
    last_names: Sequence[str] = ("Martin", "Bernard", "Durand")
    mail_domains: Sequence[str] = ("example.org",)
    mobile_prefixes: Sequence[str] = (
        "60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78", "79",
    )  # fmt: skip
    landline_prefix: str = "144"  # after +33: the 9 digits of a French number, here Paris
    bank_codes: Sequence[str] = ("30004", "30003", "30002", "20041", "10278", "14505")  # real French banks
    streets: Sequence[str] = ("rue de la République",)
    communes: Sequence[Commune] = (Commune("Paris", "75001", "75101"),)
    values: Mapping[str, Hint] = dataclass_field(default_factory=dict)
    date_spans: Mapping[str, tuple[date, date]] = dataclass_field(default_factory=dict)
    communes_by_field: Mapping[str, Sequence[Commune]] = dataclass_field(default_factory=dict)
    file_names: Mapping[str, tuple[Sequence[str], str]] = dataclass_field(default_factory=dict)


PLAIN = ExampleMaterial()


@dataclass(frozen=True)
class ExampleDraw:
    """One answer to draw: the field, the answers so far, and what to draw it from."""

    rng: random.Random
    today: date
    field: FormField
    scope: Mapping[str, Any]  # the answers so far, including the current block row
    row: int | None = None  # index of the block row being filled
    material: ExampleMaterial = PLAIN

    def hint(self, table: Mapping[str, Any]) -> Any:
        """The entry of the table for this field's id or its longest ending, or None."""
        parts = self.field.id.split("_")
        for start in range(len(parts)):
            key = "_".join(parts[start:])
            if key in table:
                return table[key]
        return None

    def suggested(self) -> Any:
        """The value hint's answer for this field, or None."""
        hint = self.hint(self.material.values)
        return hint(self) if hint else None


def years_after(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes the 28th in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Léa Dubois" → "lea-dubois"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# ---------------------------------------------------------------------------------------------
# Texts and identifiers


def _fit_length(d: ExampleDraw, value: str) -> str:
    while d.field.min_length and len(value) < d.field.min_length:
        value = f"{value} {d.rng.choice(d.material.paragraphs)}"
    return value[: d.field.max_length].rstrip() if d.field.max_length else value


def text_example(d: ExampleDraw) -> str:
    value = d.suggested()
    if value is None:
        pool = d.material.paragraphs if d.field.type == FieldType.TEXTAREA else d.material.texts
        value = d.rng.choice(pool)
    return _fit_length(d, str(value))


def email_example(d: ExampleDraw) -> str:
    value = d.suggested()
    if value is not None:
        return value
    first, last = d.rng.choice(d.material.first_names), d.rng.choice(d.material.last_names)
    return f"{slug(first)}.{slug(last)}@{d.rng.choice(d.material.mail_domains)}"


def phone_example(d: ExampleDraw) -> str:
    """A French number in E.164 form: a mobile most of the time, else a landline."""
    digits = "".join(str(d.rng.randrange(10)) for _ in range(7))
    if d.rng.random() < 0.6:
        return f"+33{d.rng.choice(d.material.mobile_prefixes)}{digits}"
    prefix = d.material.landline_prefix
    return f"+33{prefix}{digits[: 9 - len(prefix)]}"


def siret_example(d: ExampleDraw) -> str:
    siren = f"{d.rng.randint(1, 9)}{d.rng.randrange(10**7):07d}"
    siren += luhn.calc_check_digit(siren)
    establishment = f"{siren}{d.rng.randint(1, 120):04d}"
    return establishment + luhn.calc_check_digit(establishment)


def iban_example(d: ExampleDraw) -> str:
    """A French IBAN whose RIB key and check digits are right."""
    bank, branch = d.rng.choice(d.material.bank_codes), f"{d.rng.randrange(10**5):05d}"
    account = f"{d.rng.randrange(10**11):011d}"
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    check = 98 - int(f"{bban}152700") % 97  # "FR00" moved to the end, letters as numbers
    return f"FR{check:02d}{bban}"


# ---------------------------------------------------------------------------------------------
# Numbers and dates


def _as_decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _number(d: ExampleDraw, default_span: int) -> Decimal:
    """A number within the field's bounds, from its hint or at random."""
    low, high = _as_decimal(d.field.min), _as_decimal(d.field.max)
    suggested = d.suggested()
    if suggested is not None:
        value = Decimal(str(suggested))
    else:
        start = low if low is not None else Decimal(0)
        end = high if high is not None else start + default_span
        value = start + (end - start) * Decimal(d.rng.random())
    if low is not None:
        value = max(value, low)
    return min(value, high) if high is not None else value


def integer_example(d: ExampleDraw) -> int:
    value = _number(d, default_span=100)
    low = _as_decimal(d.field.min)
    rounded = int(value.to_integral_value(rounding=ROUND_FLOOR))
    return rounded + 1 if low is not None and rounded < low else rounded


def decimal_example(d: ExampleDraw) -> str:
    value = _number(d, default_span=10_000)
    rounded = value.quantize(CENT, rounding=ROUND_FLOOR)
    low = _as_decimal(d.field.min)
    if low is not None and rounded < low:
        rounded += CENT
    return f"{rounded:.2f}"


def _as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def _day(d: ExampleDraw) -> date:
    field, today = d.field, d.today
    low, high = _as_date(field.min) or date.min, _as_date(field.max) or date.max
    if field.past_only:
        high = min(high, today - timedelta(days=1))
    if field.future_only:
        low = max(low, today + timedelta(days=1))
    if field.past_only:
        usual = (years_after(today, -30), today - timedelta(days=1))
    elif field.future_only:
        usual = (today + timedelta(days=1), years_after(today, 1))
    else:
        usual = (years_after(today, -1), years_after(today, 1))
    usual = d.hint(d.material.date_spans) or usual
    # The usual span for such a field if the bounds allow it, else anywhere within the bounds.
    for start, end in (usual, (years_after(today, -100), years_after(today, 10))):
        start, end = max(start, low), min(end, high)
        if start <= end:
            return start + timedelta(days=d.rng.randint(0, (end - start).days))
    return low if low != date.min else high


def date_example(d: ExampleDraw) -> str:
    return _day(d).isoformat()


def datetime_example(d: ExampleDraw) -> str:
    day = _day(d)
    return f"{day.isoformat()}T{d.rng.randint(9, 17):02d}:{d.rng.choice((0, 15, 30, 45)):02d}"


# ---------------------------------------------------------------------------------------------
# Choices


def yes_no_example(d: ExampleDraw) -> bool:
    return d.rng.random() < 0.5


def checkbox_example(d: ExampleDraw) -> bool:
    return d.field.required or d.rng.random() < 0.5


def choice_example(d: ExampleDraw) -> str:
    values = option_values(d.field)
    suggested = d.suggested()
    if suggested in values:
        return suggested
    # The first option is usually the common case.
    return values[0] if d.rng.random() < 0.5 else d.rng.choice(values)


def multiple_choice_example(d: ExampleDraw) -> list[str]:
    values = option_values(d.field)
    low = min(max(d.field.min_choices or 0, 1), len(values))
    high = max(low, min(d.field.max_choices or len(values), len(values), low + 2))
    picked = set(d.rng.sample(values, d.rng.randint(low, high)))
    return [value for value in values if value in picked]


def booleans(field: FormField) -> list[bool]:
    return [True, False]


def option_values(field: FormField) -> list[str]:
    return [option.value for option in field.options]


# ---------------------------------------------------------------------------------------------
# Addresses and files


def address_example(d: ExampleDraw) -> dict[str, str]:
    commune = d.rng.choice(d.hint(d.material.communes_by_field) or d.material.communes)
    number = f"{d.rng.randint(1, 140)}{' bis' if d.rng.random() < 0.1 else ''}"
    return {
        "street": f"{number} {d.rng.choice(d.material.streets)}",
        "postcode": commune.postcode,
        "city": commune.name,
        "insee_code": commune.insee_code,
    }


def _accepted_types(accept: list[str]) -> list[str]:
    types = [CONTENT_TYPES.get(entry.lower().lstrip("."), entry.lower()) for entry in accept]
    return [t for t in types if t in FILE_EXTENSIONS] or [PDF]


def files_example(d: ExampleDraw) -> list[dict[str, Any]]:
    """One to three files (as many as the field takes), as the form engine stores them once received."""
    field = d.field
    accepted = _accepted_types(field.accept)
    names, preferred = d.hint(d.material.file_names) or ((field.id.replace("_", "-"),), PDF)
    count = d.rng.randint(1, min(field.max_files or 1, 3))
    chosen = d.rng.sample(names, min(count, len(names)))
    chosen += [f"{names[0]}-{index}" for index in range(len(chosen) + 1, count + 1)]
    max_bytes = (field.max_size_mb or 10) * 1024 * 1024
    files = []
    for name in chosen:
        content_type = preferred if preferred in accepted else d.rng.choice(accepted)
        size = d.rng.randint(min(30_000, max_bytes), min(max_bytes, 6_000_000))
        files.append({"name": f"{name}.{FILE_EXTENSIONS[content_type]}", "content_type": content_type, "size": size})
    return files
