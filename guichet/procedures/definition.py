"""The form definition of a procedure version, stored as JSON and validated here.

A definition is a list of pages; a page holds fields; a `block` field holds a group of fields
repeated between `min_rows` and `max_rows` times. Every field has an id that stays the same
across versions, so that answers follow a field when the form changes. Conditions refer to the ids
of earlier fields. The rendering and validation engine builds on these models."""

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .fees import FeeDefinition, fee_errors
from .field_sources import FieldSource, source_errors
from .formulas import FormulaError, formula_parse
from .identity_purposes import IDENTITY_PURPOSE_LABELS, IdentityPurpose

FieldId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    YES_NO = "yes_no"
    CHECKBOX = "checkbox"
    CHOICE = "choice"
    MULTIPLE_CHOICE = "multiple_choice"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    SIRET = "siret"
    IBAN = "iban"
    FILE = "file"
    SECTION = "section"
    EXPLANATION = "explanation"
    BLOCK = "block"
    LINKED_DOSSIER = "linked_dossier"
    COMPUTED = "computed"


# The purposes each type of field may carry: a date can only be a birth date; a multi-line text,
# only a whole address.
IDENTITY_PURPOSES = {
    FieldType.TEXT: [purpose for purpose in IdentityPurpose if purpose != IdentityPurpose.BDAY],
    FieldType.DATE: [IdentityPurpose.BDAY],
    FieldType.TEXTAREA: [IdentityPurpose.STREET_ADDRESS],
}

# Types that only show something and never hold an answer.
DISPLAY_ONLY = {FieldType.SECTION, FieldType.EXPLANATION}


class Operator(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    CONTAINS = "contains"
    EMPTY = "empty"
    NOT_EMPTY = "not_empty"
    IN = "in"


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: FieldId
    op: Operator
    value: Any = None


class Condition(BaseModel):
    """All (`all`) or any (`any`) of the rules hold; conditions nest."""

    model_config = ConfigDict(extra="forbid")
    all: list["Rule | Condition"] = Field(default_factory=list)
    any: list["Rule | Condition"] = Field(default_factory=list)

    def field_ids(self) -> set[str]:
        ids: set[str] = set()
        for item in [*self.all, *self.any]:
            ids |= {item.field} if isinstance(item, Rule) else item.field_ids()
        return ids


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(min_length=1, max_length=100)
    label: str = Field(min_length=1, max_length=300)


class TemplateFile(BaseModel):
    """A file that applicants download, fill and attach (a form to sign, a table to complete)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    path: str = Field(pattern=r"^procedures/[A-Za-z0-9_./-]+$", max_length=300)


class FormField(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: FieldId
    type: FieldType
    label: str = Field(min_length=1, max_length=500)
    help: str = ""
    required: bool = False
    condition: Condition | None = None
    # text and textarea
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = None
    pattern_message: str | None = None
    # numbers and dates
    min: float | str | None = None
    max: float | str | None = None
    unit: str | None = None
    past_only: bool = False
    future_only: bool = False
    # choices
    options: list[Option] = Field(default_factory=list)
    widget: Literal["radio", "select", "checkboxes"] | None = None
    allow_other: bool = False
    min_choices: int | None = Field(default=None, ge=0)
    max_choices: int | None = Field(default=None, ge=1)
    # files
    accept: list[str] = Field(default_factory=list)
    max_size_mb: int | None = Field(default=None, ge=1, le=500)
    max_files: int | None = Field(default=None, ge=1, le=50)
    template_file: TemplateFile | None = None
    # explanation text (a safe Markdown subset)
    text: str = ""
    # repeatable block
    fields: list["FormField"] = Field(default_factory=list)
    min_rows: int | None = Field(default=None, ge=0)
    max_rows: int | None = Field(default=None, ge=1)
    # computed value
    formula: str | None = None
    # text, textarea and date: what it asks about the person filling the form (its `autocomplete`)
    autocomplete: IdentityPurpose | None = None
    # where the answer comes from instead of the applicant's typing (field_sources.py)
    source: FieldSource | None = None

    @model_validator(mode="after")
    def _check_settings(self) -> "FormField":
        if self.type in {FieldType.CHOICE, FieldType.MULTIPLE_CHOICE} and not self.options:
            raise ValueError(f"le champ « {self.label} » doit proposer au moins un choix")
        if self.type == FieldType.BLOCK and not self.fields:
            raise ValueError(f"le bloc répétable « {self.label} » doit contenir au moins un champ")
        if self.type != FieldType.BLOCK and self.fields:
            raise ValueError(f"seul un bloc répétable peut contenir des champs (« {self.label} »)")
        if self.type != FieldType.FILE and self.template_file:
            raise ValueError(f"seul un champ pièce jointe peut proposer un modèle (« {self.label} »)")
        if self.autocomplete and self.autocomplete not in IDENTITY_PURPOSES.get(self.type, []):
            raise ValueError(
                f"le champ « {self.label} » ne peut pas avoir pour finalité « "
                f"{IDENTITY_PURPOSE_LABELS[self.autocomplete]} »"
            )
        if self.type == FieldType.COMPUTED and not self.formula:
            raise ValueError(f"le champ calculé « {self.label} » n’a pas de formule")
        return self


class Page(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: FieldId
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    condition: Condition | None = None
    fields: list[FormField]


class EligibilityRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    condition: Condition
    message: str = Field(min_length=1)


class FormDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pages: list[Page] = Field(min_length=1)
    eligibility: list[EligibilityRule] = Field(default_factory=list)
    # Private annotations: fields that the instructors fill on each dossier, never shown to the
    # applicant (a follow-up date, an internal opinion...).
    annotations: list[FormField] = Field(default_factory=list)
    # What the procedure charges (fees.py): none when absent.
    fee: FeeDefinition | None = None

    def iter_fields(self):
        """Every field in reading order, block contents right after their block."""

        def walk(fields):
            for field in fields:
                yield field
                yield from walk(field.fields)

        for page in self.pages:
            yield from walk(page.fields)


# What instructors may annotate a dossier with: plain values, no files, blocks or formulas.
ANNOTATION_TYPES = frozenset(
    {
        FieldType.TEXT,
        FieldType.TEXTAREA,
        FieldType.INTEGER,
        FieldType.DECIMAL,
        FieldType.DATE,
        FieldType.YES_NO,
        FieldType.CHECKBOX,
        FieldType.CHOICE,
        FieldType.MULTIPLE_CHOICE,
        FieldType.EMAIL,
        FieldType.PHONE,
    }
)


def annotations_form(form: FormDefinition) -> FormDefinition | None:
    """The procedure's private annotations as a one-page form that the form engine renders and
    cleans; None when the procedure defines none."""
    if not form.annotations:
        return None
    page = Page(id="annotations", title="Annotations privées", fields=form.annotations)
    return FormDefinition(pages=[page])


class DefinitionInvalid(ValueError):
    """A form definition that cannot be saved; each error names its place, e.g.
    `pages[1].fields[3].condition`, and says what is wrong in French."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path} : {message}" for path, message in errors))


_PYDANTIC_MESSAGES = {
    "missing": "information obligatoire manquante",
    "extra_forbidden": "réglage inconnu",
    "enum": "valeur inconnue « {input} »",
    "literal_error": "valeur inconnue « {input} »",
    "string_too_short": "ne peut pas être vide",
    "too_short": "doit contenir au moins un élément",
    "string_pattern_mismatch": "identifiant invalide « {input} » : lettres minuscules, chiffres, « - » et « _ »",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
}


def _path(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "formulaire"


def _french(error: dict) -> str:
    if error["type"] == "string_pattern_mismatch" and error["loc"][-1] != "id":
        return f"format invalide « {error.get('input')} »"
    template = _PYDANTIC_MESSAGES.get(error["type"])
    if template:
        return template.format(input=error.get("input"))
    return str(error["msg"]).removeprefix("Value error, ")


def located_errors(error: ValidationError) -> list[tuple[str, str]]:
    """pydantic's errors as (place, French message) pairs, the way DefinitionInvalid reports them."""
    return [(_path(e["loc"]), _french(e)) for e in error.errors()]


def _walk(fields: list[FormField], path: str):
    for index, field in enumerate(fields):
        here = f"{path}.fields[{index}]"
        yield here, field
        yield from _walk(field.fields, here)


_RANGES = (
    ("min_length", "max_length", "la longueur minimale dépasse la longueur maximale"),
    ("min_rows", "max_rows", "le nombre minimal de lignes dépasse le nombre maximal"),
    ("min_choices", "max_choices", "le nombre minimal de choix dépasse le nombre maximal"),
)


def _ordered_pair(low: Any, high: Any) -> bool | None:
    """Whether low <= high, for numbers or ISO dates; None when they cannot be compared."""
    try:
        return float(low) <= float(high)
    except (TypeError, ValueError):
        try:
            return date.fromisoformat(str(low)) <= date.fromisoformat(str(high))
        except ValueError:
            return None


def _semantic_errors(form: FormDefinition) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    types: dict[str, str] = {}
    page_ids: set[str] = set()

    def references(names: set[str], where: str, what: str) -> None:
        unknown = sorted(names - seen)
        if unknown:
            named = ", ".join(f"« {name} »" for name in unknown)
            errors.append((where, f"{what} porte sur {named}, un champ absent ou placé après elle"))

    def check_field(path: str, field: FormField) -> None:
        if field.id in seen:
            errors.append((f"{path}.id", f"l’identifiant de champ « {field.id} » est déjà utilisé"))
        if field.condition:
            references(field.condition.field_ids(), f"{path}.condition", "la condition")
        for low, high, message in _RANGES:
            low_value, high_value = getattr(field, low), getattr(field, high)
            if low_value is not None and high_value is not None and low_value > high_value:
                errors.append((f"{path}.{low}", message))
        if field.min is not None and field.max is not None and _ordered_pair(field.min, field.max) is False:
            errors.append((f"{path}.min", "le minimum dépasse le maximum"))
        if field.formula:
            try:
                references(formula_parse(field.formula).names, f"{path}.formula", "la formule")
            except FormulaError as error:
                errors.append((f"{path}.formula", str(error)))
        if field.pattern:
            try:
                re.compile(field.pattern)
            except re.error:
                errors.append((f"{path}.pattern", "le motif de validation est mal écrit"))
        errors.extend(source_errors(path, field, types, in_block=path.count(".fields[") > 1))

    for page_index, page in enumerate(form.pages):
        page_path = f"pages[{page_index}]"
        if page.id in page_ids:
            errors.append((f"{page_path}.id", f"l’identifiant de page « {page.id} » est déjà utilisé"))
        page_ids.add(page.id)
        if page.condition:
            references(page.condition.field_ids(), f"{page_path}.condition", "la condition")
        for path, field in _walk(page.fields, page_path):
            check_field(path, field)
            seen.add(field.id)
            types[field.id] = field.type
    for index, rule in enumerate(form.eligibility):
        references(rule.condition.field_ids(), f"eligibility[{index}].condition", "la règle d’éligibilité")
    annotation_ids: set[str] = set()
    for index, field in enumerate(form.annotations):
        path = f"annotations[{index}]"
        if field.type not in ANNOTATION_TYPES:
            errors.append((f"{path}.type", f"le type « {field.type} » n’est pas possible pour une annotation privée"))
        if field.id in annotation_ids:
            errors.append((f"{path}.id", f"l’identifiant d’annotation « {field.id} » est déjà utilisé"))
        if field.condition:
            errors.append((f"{path}.condition", "une annotation privée ne peut pas avoir de condition"))
        if field.source:
            errors.append((f"{path}.source", "une annotation privée ne peut pas venir d’une source de données"))
        if field.autocomplete:
            # Filled by instructors: their browser would offer their own name, not the applicant's.
            errors.append((f"{path}.autocomplete", "une annotation privée ne peut pas avoir de finalité"))
        annotation_ids.add(field.id)
    if form.fee is not None:
        in_blocks = {child.id for field in form.iter_fields() for child in field.fields}
        fields = {field.id: str(field.type) for field in form.iter_fields() if field.id not in in_blocks}
        errors.extend(fee_errors(form.fee, fields))
    return errors


def definition_validate(data: dict[str, Any]) -> FormDefinition:
    """Parse and check a definition; raises DefinitionInvalid naming every problem and its place."""
    try:
        form = FormDefinition.model_validate(data)
    except ValidationError as error:
        raise DefinitionInvalid(located_errors(error)) from error
    errors = _semantic_errors(form)
    if errors:
        raise DefinitionInvalid(errors)
    return form
