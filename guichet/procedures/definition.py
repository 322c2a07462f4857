"""The form definition of a procedure version, stored as JSON and validated here.

A definition is a list of pages; a page holds fields; a `block` field holds a group of fields
repeated between `min_rows` and `max_rows` times. Every field has an id that stays the same
across versions, so that answers follow a field when the form changes. Conditions refer to the ids
of earlier fields. The rendering and validation engine builds on these models."""

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    # explanation text (a safe Markdown subset)
    text: str = ""
    # repeatable block
    fields: list["FormField"] = Field(default_factory=list)
    min_rows: int | None = Field(default=None, ge=0)
    max_rows: int | None = Field(default=None, ge=1)
    # computed value
    formula: str | None = None

    @model_validator(mode="after")
    def _check_settings(self) -> "FormField":
        if self.type in {FieldType.CHOICE, FieldType.MULTIPLE_CHOICE} and not self.options:
            raise ValueError(f"le champ « {self.label} » doit proposer au moins un choix")
        if self.type == FieldType.BLOCK and not self.fields:
            raise ValueError(f"le bloc répétable « {self.label} » doit contenir au moins un champ")
        if self.type != FieldType.BLOCK and self.fields:
            raise ValueError(f"seul un bloc répétable peut contenir des champs (« {self.label} »)")
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

    def iter_fields(self):
        """Every field in reading order, block contents right after their block."""

        def walk(fields):
            for field in fields:
                yield field
                yield from walk(field.fields)

        for page in self.pages:
            yield from walk(page.fields)

    @model_validator(mode="after")
    def _check_ids_and_references(self) -> "FormDefinition":
        seen: set[str] = set()
        page_ids = [page.id for page in self.pages]
        if len(set(page_ids)) != len(page_ids):
            raise ValueError("deux pages portent le même identifiant")
        for page in self.pages:
            if page.condition:
                _check_references(page.condition, seen, page.title)
            for field in _fields_with_blocks(page.fields):
                if field.id in seen:
                    raise ValueError(f"l’identifiant de champ « {field.id} » est utilisé deux fois")
                if field.condition:
                    _check_references(field.condition, seen, field.label)
                seen.add(field.id)
        for rule in self.eligibility:
            _check_references(rule.condition, seen, "règle d’éligibilité")
        return self


def _fields_with_blocks(fields: list[FormField]):
    for field in fields:
        yield field
        yield from _fields_with_blocks(field.fields)


def _check_references(condition: Condition, known: set[str], where: str) -> None:
    unknown = condition.field_ids() - known
    if unknown:
        raise ValueError(f"la condition de « {where} » porte sur un champ absent ou placé après : {sorted(unknown)}")


def definition_validate(data: dict[str, Any]) -> FormDefinition:
    """Parse a stored definition; raises pydantic.ValidationError with the reasons."""
    return FormDefinition.model_validate(data)
