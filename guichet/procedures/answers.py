"""Server-side validation of a dossier's answers against its form definition.

`answers_clean` takes answers as the screens and the API send them (JSON values), keeps only the
fields that the conditions show, checks each with its type's rules, computes the formulas and the
eligibility rules, and returns clean values and French error messages keyed by field path
(`cadastre.0.section` for a field in the first row of a block)."""

import re
from collections import ChainMap
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.fr import siret as stdnum_siret

from . import examples
from .conditions import condition_holds, is_empty
from .date_entry import date_entry_parse, datetime_entry_parse
from .definition import DISPLAY_ONLY, FieldType, FormDefinition, FormField
from .formulas import formula_parse

DOSSIER_NUMBER = re.compile(r"^\d{4}-\d{6}$")


class Invalid(Exception):
    """One answer is not acceptable; the message is for the applicant."""


@dataclass(frozen=True)
class AnswersSending:
    """Which sending of a page this is: the page as loaded in one browser tab (`tab`, a random
    id), and the moment that tab sent it by its own clock (`order`, ms). Of two sendings from the
    same tab, the later one wins even when it reaches the server first."""

    tab: str
    order: int

    def is_older_than(self, tab: str, order: int) -> bool:
        return self.tab == tab and self.order <= order


@dataclass
class CleanedAnswers:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    ineligible: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and not self.ineligible


def _number_text(value: Decimal) -> str:
    return format(value, "f")


def _french_number(value: Any) -> str:
    number = Decimal(str(value))
    text = str(int(number)) if number == number.to_integral() else format(number.normalize(), "f")
    return text.replace(".", ",")


def _bounds(f: FormField, value) -> None:
    unit = f" {f.unit}" if f.unit else ""
    if f.min is not None and value < Decimal(str(f.min)):
        raise Invalid(f"La valeur doit être supérieure ou égale à {_french_number(f.min)}{unit}.")
    if f.max is not None and value > Decimal(str(f.max)):
        raise Invalid(f"La valeur doit être inférieure ou égale à {_french_number(f.max)}{unit}.")


def _text(f: FormField, raw: Any, today: date) -> str:
    if not isinstance(raw, str):
        raise Invalid("Saisissez un texte.")
    value = raw.strip()
    if f.min_length and len(value) < f.min_length:
        raise Invalid(f"Saisissez au moins {f.min_length} caractères.")
    if f.max_length and len(value) > f.max_length:
        raise Invalid(f"Saisissez au plus {f.max_length} caractères (actuellement {len(value)}).")
    if f.pattern and not re.fullmatch(f.pattern, value):
        raise Invalid(f.pattern_message or "Le format de cette réponse n’est pas valide.")
    return value


def _integer(f: FormField, raw: Any, today: date) -> int:
    try:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError
        value = int(str(raw).strip().replace(" ", "").replace("\u202f", ""))
    except ValueError:
        raise Invalid("Saisissez un nombre entier, sans virgule.") from None
    _bounds(f, value)
    return value


def _decimal(f: FormField, raw: Any, today: date) -> str:
    try:
        if isinstance(raw, bool):
            raise InvalidOperation
        value = Decimal(str(raw).strip().replace(" ", "").replace("\u202f", "").replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise Invalid("Saisissez un nombre, par exemple 1250,50.") from None
    _bounds(f, value)
    return _number_text(value)


def _parse_date(text: str) -> date:
    return date_entry_parse(text)


def _date(f: FormField, raw: Any, today: date) -> str:
    try:
        value = _parse_date(str(raw))
    except ValueError:
        raise Invalid("Saisissez une date valide, au format jj/mm/aaaa.") from None
    if f.past_only and value >= today:
        raise Invalid("La date doit être passée.")
    if f.future_only and value <= today:
        raise Invalid("La date doit être à venir.")
    if f.min is not None and value < date.fromisoformat(str(f.min)):
        raise Invalid(f"La date doit être au plus tôt le {date.fromisoformat(str(f.min)):%d/%m/%Y}.")
    if f.max is not None and value > date.fromisoformat(str(f.max)):
        raise Invalid(f"La date doit être au plus tard le {date.fromisoformat(str(f.max)):%d/%m/%Y}.")
    return value.isoformat()


def _datetime(f: FormField, raw: Any, today: date) -> str:
    try:
        value = datetime_entry_parse(str(raw))
    except ValueError:
        raise Invalid("Saisissez une date et une heure valides, au format jj/mm/aaaa hh:mm.") from None
    if f.past_only and value.date() >= today:
        raise Invalid("La date doit être passée.")
    if f.future_only and value.date() <= today:
        raise Invalid("La date doit être à venir.")
    return value.isoformat(timespec="minutes")


_TRUE, _FALSE = {True, "true", "oui", "on", "1"}, {False, "false", "non", "off", "0"}


def _boolean(f: FormField, raw: Any, today: date) -> bool:
    if not isinstance(raw, str | bool | int):
        raise Invalid("Répondez par oui ou par non.")
    value = raw.strip().lower() if isinstance(raw, str) else raw
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise Invalid("Répondez par oui ou par non.")


def _choice(f: FormField, raw: Any, today: date) -> str:
    value = str(raw).strip()
    if value in {option.value for option in f.options} or (f.allow_other and value):
        return value
    raise Invalid("Choisissez une des réponses proposées.")


def _multiple_choice(f: FormField, raw: Any, today: date) -> list[str]:
    values = raw if isinstance(raw, list) else [raw]
    allowed = [option.value for option in f.options]
    if any(v not in allowed for v in values):
        raise Invalid("Choisissez parmi les réponses proposées.")
    chosen = [v for v in allowed if v in values]  # the options' order, without duplicates
    if f.min_choices and len(chosen) < f.min_choices:
        raise Invalid(f"Choisissez au moins {f.min_choices} réponses.")
    if f.max_choices and len(chosen) > f.max_choices:
        raise Invalid(f"Choisissez au plus {f.max_choices} réponses.")
    return chosen


def _email(f: FormField, raw: Any, today: date) -> str:
    value = str(raw).strip()
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid("Saisissez une adresse électronique valide, par exemple nom@exemple.fr.") from None
    return value


@lru_cache(maxsize=4096)
def _phone_e164(text: str) -> str | None:
    """The number in E.164 form, or None when it is not a valid number (kept: the same answer is
    checked again at every save of its page and at submission)."""
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(f: FormField, raw: Any, today: date) -> str:
    text = str(raw)
    e164 = _phone_e164(text) if len(text) <= 64 else None
    if e164 is None:
        raise Invalid("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78.")
    return e164


def _address(f: FormField, raw: Any, today: date) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise Invalid("Saisissez une adresse.")
    value = {key: str(raw.get(key) or "").strip() for key in ("street", "postcode", "city", "insee_code")}
    if not value["street"] or not value["city"]:
        raise Invalid("Indiquez le numéro et la voie, et la commune.")
    if not re.fullmatch(r"\d[0-9AB]\d{3}", value["postcode"]):
        raise Invalid("Le code postal doit compter 5 chiffres.")
    if value["insee_code"] and not re.fullmatch(r"\d[0-9AB]\d{3}", value["insee_code"]):
        raise Invalid("Le code INSEE de la commune n’est pas valide.")
    return value if value["insee_code"] else {k: v for k, v in value.items() if k != "insee_code"}


def _siret(f: FormField, raw: Any, today: date) -> str:
    value = stdnum_siret.compact(str(raw))
    if not stdnum_siret.is_valid(value):
        raise Invalid("Ce numéro SIRET n’est pas valide : il compte 14 chiffres, clé de contrôle comprise.")
    return value


def _iban(f: FormField, raw: Any, today: date) -> str:
    try:
        return IBAN(str(raw)).compact
    except SchwiftyException:
        raise Invalid("Cet IBAN n’est pas valide : vérifiez-le sur votre relevé d’identité bancaire.") from None


def _files(f: FormField, raw: Any, today: date) -> list[dict]:
    files = raw if isinstance(raw, list) else [raw]
    if f.max_files and len(files) > f.max_files:
        raise Invalid(f"Vous pouvez joindre au plus {f.max_files} fichier(s).")
    for item in files:
        if not isinstance(item, Mapping) or not item.get("name"):
            raise Invalid("Ce fichier n’a pas été reçu : déposez-le à nouveau.")
        if f.accept and item.get("content_type") not in f.accept:
            raise Invalid(f"Le fichier « {item['name']} » n’est pas d’un type accepté.")
        if f.max_size_mb and int(item.get("size") or 0) > f.max_size_mb * 1024 * 1024:
            raise Invalid(f"Le fichier « {item['name']} » dépasse {f.max_size_mb} Mo.")
    return [dict(item) for item in files]


def _linked_dossier(f: FormField, raw: Any, today: date) -> str:
    value = str(raw).strip()
    if not DOSSIER_NUMBER.fullmatch(value):
        raise Invalid("Saisissez un numéro de dossier, par exemple 2026-000042.")
    return value


@dataclass(frozen=True)
class AnswerType:
    """What the platform knows of one type of answer: how to clean it, how to draw an example of it
    (examples.py: None when none can be made up, a linked dossier being one the applicant filed),
    and, for a type that offers a few answers to pick from, which."""

    clean: Callable[[FormField, Any, date], Any]
    example: Callable[[examples.ExampleDraw], Any] | None
    offered: Callable[[FormField], list[Any]] | None = None


# The catalogue of answer types: a new type of field that holds an answer is one row here. Display-only
# fields, blocks (their rows hold the answers) and computed fields have none.
ANSWER_TYPES: dict[FieldType, AnswerType] = {
    FieldType.TEXT: AnswerType(_text, examples.text_example),
    FieldType.TEXTAREA: AnswerType(_text, examples.text_example),
    FieldType.INTEGER: AnswerType(_integer, examples.integer_example),
    FieldType.DECIMAL: AnswerType(_decimal, examples.decimal_example),
    FieldType.DATE: AnswerType(_date, examples.date_example),
    FieldType.DATETIME: AnswerType(_datetime, examples.datetime_example),
    FieldType.YES_NO: AnswerType(_boolean, examples.yes_no_example, offered=examples.booleans),
    FieldType.CHECKBOX: AnswerType(_boolean, examples.checkbox_example, offered=examples.booleans),
    FieldType.CHOICE: AnswerType(_choice, examples.choice_example, offered=examples.option_values),
    FieldType.MULTIPLE_CHOICE: AnswerType(_multiple_choice, examples.multiple_choice_example),
    FieldType.EMAIL: AnswerType(_email, examples.email_example),
    FieldType.PHONE: AnswerType(_phone, examples.phone_example),
    FieldType.ADDRESS: AnswerType(_address, examples.address_example),
    FieldType.SIRET: AnswerType(_siret, examples.siret_example),
    FieldType.IBAN: AnswerType(_iban, examples.iban_example),
    FieldType.FILE: AnswerType(_files, examples.files_example),
    FieldType.LINKED_DOSSIER: AnswerType(_linked_dossier, None),
}


class _Cleaner:
    def __init__(self, *, require_complete: bool, today: date, own_dossiers: Collection[str] | None):
        self.require_complete = require_complete
        self.today = today
        self.own_dossiers = own_dossiers
        self.result = CleanedAnswers()

    def fields(self, fields: list[FormField], raw: Mapping[str, Any], out: dict, scope: ChainMap, prefix: str):
        for f in fields:
            if f.type in DISPLAY_ONLY or not condition_holds(f.condition, scope):
                continue  # hidden: neither required nor stored
            path = f"{prefix}{f.id}"
            if f.type == FieldType.COMPUTED:
                value = formula_parse(f.formula).evaluate(scope)
                if value is not None:
                    out[f.id] = _number_text(value) if isinstance(value, Decimal) else value
                continue
            if f.type == FieldType.BLOCK:
                self.block(f, raw.get(f.id), out, scope, path)
                continue
            value = raw.get(f.id)
            if isinstance(value, str):
                value = value.strip()  # spaces alone are no answer
            unticked = f.type == FieldType.CHECKBOX and isinstance(value, str | bool | int) and value in _FALSE
            if is_empty(value) or (unticked and f.required):
                if f.required and self.require_complete:
                    self.result.errors[path] = (
                        "Vous devez cocher cette case." if f.type == FieldType.CHECKBOX else "Ce champ est obligatoire."
                    )
                continue
            try:
                out[f.id] = ANSWER_TYPES[f.type].clean(f, value, self.today)
                if f.type == FieldType.LINKED_DOSSIER and self.own_dossiers is not None:
                    if out[f.id] not in self.own_dossiers:
                        del out[f.id]
                        raise Invalid("Ce numéro ne correspond à aucun de vos dossiers déposés.")
            except Invalid as error:
                self.result.errors[path] = str(error)

    def block(self, f: FormField, raw: Any, out: dict, scope: ChainMap, path: str) -> None:
        if raw is not None and not isinstance(raw, list):
            self.result.errors[path] = "Les lignes de ce bloc n’ont pas été reçues : recommencez."
            return
        rows = raw or []
        if f.max_rows and len(rows) > f.max_rows:
            self.result.errors[path] = f"Ajoutez au plus {f.max_rows} ligne(s)."
            rows = rows[: f.max_rows]
        minimum = f.min_rows or (1 if f.required else 0)
        if self.require_complete and len(rows) < minimum:
            self.result.errors[path] = f"Ajoutez au moins {minimum} ligne(s)."
        cleaned_rows = []
        for index, row in enumerate(rows):
            cleaned: dict[str, Any] = {}
            row = row if isinstance(row, Mapping) else {}
            self.fields(f.fields, row, cleaned, scope.new_child(cleaned), f"{path}.{index}.")
            cleaned_rows.append(cleaned)
        if cleaned_rows:
            out[f.id] = cleaned_rows


def answers_clean(
    form: FormDefinition,
    raw: Mapping[str, Any],
    *,
    today: date,
    require_complete: bool = True,
    own_dossiers: Collection[str] | None = None,
) -> CleanedAnswers:
    """Validate answers against a form. `require_complete=False` saves a draft: format errors are
    reported but missing answers and eligibility are not. `own_dossiers`, when given, are the
    numbers of the applicant's dossiers: a linked dossier must be one of them."""
    cleaner = _Cleaner(require_complete=require_complete, today=today, own_dossiers=own_dossiers)
    values = cleaner.result.values
    scope = ChainMap(values)
    for page in form.pages:
        if condition_holds(page.condition, scope):
            cleaner.fields(page.fields, raw, values, scope, "")
    if require_complete:
        cleaner.result.ineligible = [
            rule.message for rule in form.eligibility if condition_holds(rule.condition, scope)
        ]
    return cleaner.result
