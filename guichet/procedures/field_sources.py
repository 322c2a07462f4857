"""Data sources of form fields (« Dites-le-nous une fois », decision 0032): a field whose answer
comes from the state's data instead of the applicant's typing. API Entreprise fills fields from a
SIRET field of the form; API Particulier from the applicant's FranceConnect identity, with their
consent. Procedure documents carry the choice (`source` on a field), never any credential."""

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field

from guichet.connectors.data_sources import COMPANY_DATA, INDIVIDUAL_DATA, PROVIDER_NAMES

if TYPE_CHECKING:
    from .definition import FormDefinition, FormField

FieldId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]


class SourceProvider(StrEnum):
    API_ENTREPRISE = "api_entreprise"
    API_PARTICULIER = "api_particulier"


PROVIDER_DATA = {SourceProvider.API_ENTREPRISE: COMPANY_DATA, SourceProvider.API_PARTICULIER: INDIVIDUAL_DATA}
# The field types each datum may fill (the first is the one the builder proposes).
DATUM_TYPES = {
    **{datum: ("text", "textarea") for datum in COMPANY_DATA},
    "address": ("textarea", "text"),
    "family_quotient": ("integer", "decimal"),
    "student_status": ("yes_no", "checkbox"),
    "job_seeker_status": ("yes_no", "checkbox"),
}


class FieldSource(BaseModel):
    """Where a field's answer comes from. `siret_field`: for API Entreprise, the SIRET field of the
    form whose establishment it describes; `consent`: for API Particulier, what the applicant agrees
    to before the call (which data, from whom, for what)."""

    model_config = ConfigDict(extra="forbid")
    provider: SourceProvider
    datum: str = Field(min_length=1, max_length=40)
    siret_field: FieldId | None = None
    consent: str = Field(default="", max_length=1000)

    @property
    def provider_name(self) -> str:
        return PROVIDER_NAMES[self.provider]

    @property
    def datum_label(self) -> str:
        return PROVIDER_DATA[self.provider].get(self.datum, self.datum)


def source_errors(
    path: str, field: "FormField", earlier_types: dict[str, str], *, in_block: bool
) -> list[tuple[str, str]]:
    """What is wrong with `field`'s source, located; `earlier_types`: the ids and types of the fields
    before it."""
    source = field.source
    if source is None:
        return []
    here = f"{path}.source"
    if in_block:
        return [(here, "un champ d’un bloc répétable ne peut pas être rempli par une source de données")]
    if source.datum not in PROVIDER_DATA[source.provider]:
        return [(f"{here}.datum", f"donnée inconnue « {source.datum} » pour {source.provider_name}")]
    errors = []
    if field.type not in DATUM_TYPES[source.datum]:
        errors.append(
            (f"{here}.datum", f"« {source.datum_label} » ne peut pas remplir un champ de type « {field.type} »")
        )
    if source.provider == SourceProvider.API_ENTREPRISE:
        if not source.siret_field:
            errors.append((f"{here}.siret_field", "indiquez le champ SIRET dont viennent les données"))
        elif earlier_types.get(source.siret_field) != "siret":
            message = f"« {source.siret_field} » n’est pas un champ SIRET placé avant ce champ"
            errors.append((f"{here}.siret_field", message))
    elif not source.consent.strip():
        errors.append((f"{here}.consent", "le texte de consentement est obligatoire pour API Particulier"))
    return errors


def sourced_fields(form: "FormDefinition") -> list["FormField"]:
    """The form's fields filled from a source, in reading order."""
    return [field for field in form.iter_fields() if field.source is not None]


def siret_triggers(form: "FormDefinition") -> dict[str, list["FormField"]]:
    """Each SIRET field that fills others → the fields it fills."""
    triggers: dict[str, list[FormField]] = {}
    for field in sourced_fields(form):
        if field.source.provider == SourceProvider.API_ENTREPRISE and field.source.siret_field:
            triggers.setdefault(field.source.siret_field, []).append(field)
    return triggers


# What a form asks although the state holds it, when no source fills it (« Dites-le-nous une fois »,
# decision 0033): the applicant's civil identity, which FranceConnect certifies and every dossier
# carries; and, in a form that asks for a SIRET, the company's name, which API Entreprise gives.
_IDENTITY_HELD = {"name", "given-name", "family-name", "additional-name", "bday"}
_COMPANY_HELD = {"organization"}
_NOT_ASKED = {"section", "explanation", "computed", "block"}


@dataclass(frozen=True)
class SourcesUse:
    """How a form uses the data sources: `questions` it asks (fields that hold an answer), how many
    a source fills (`sourced`), and how many ask data the state already holds (`held_asked`, the
    observatory's « Dites-le-nous une fois » count)."""

    questions: int
    sourced: int
    held_asked: int

    @property
    def sourced_share_pct(self) -> float | None:
        """The share of the questions filled from a source, in %; None for a form without questions."""
        return round(100 * self.sourced / self.questions, 1) if self.questions else None


def form_sources_use(form: "FormDefinition") -> SourcesUse:
    fields = [field for field in form.iter_fields() if field.type not in _NOT_ASKED]
    asks_siret = any(field.type == "siret" for field in fields)
    sourced = [field for field in fields if field.source is not None]
    held = [
        field
        for field in fields
        if field.source is None
        and (field.autocomplete in _IDENTITY_HELD or (asks_siret and field.autocomplete in _COMPANY_HELD))
    ]
    return SourcesUse(questions=len(fields), sourced=len(sourced), held_asked=len(held))
