"""A procedure's retention settings (« conservation et archivage »): read and changed by the people
who may change them on the screens, the procedure's administrators and the archivists of its
organisation, through the same service (archives.retention_settings). A service account holding
`retention:read` reads them (the organisation's records or archival software aligns its own rules);
none changes them: a procedure's retention is a decision its administrators or archivists take and
answer for by name, with the archivist's control over eliminations (decision 0031)."""

from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError, ValidationError

from guichet.archives.retention_settings import procedure_retention_update, retention_values
from guichet.archives.selectors import organisation_ids_archived_by, procedures_retention_managed_by
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import organisation_ids_administered_by

from .errors import examples, responses
from .principals import principal_of
from .scopes import Scope

router = Router(tags=["conservation"])


class RetentionOut(Schema):
    retention_years: int = Field(description="Durée d’utilité administrative (DUA), en années (1 à 100).")
    retention_start: Literal["decision", "submission"] = Field(
        description="Point de départ de la DUA : `decision` (la décision, ou le retrait), `submission` (le dépôt)."
    )
    final_fate: Literal["conserver", "detruire", "trier"] = Field(description="Sort final à la fin de la DUA.")
    archival_agreement: str = Field(description="Contrat d’entrée (Vitam) ; vide si aucun.")
    originating_agency: str = Field(description="Identifiant du service producteur.")
    submission_agency: str = Field(description="Identifiant du service versant.")
    archival_profile: str = Field(description="Profil d’archivage ; vide si aucun.")
    access_rule: str = Field(description="Règle de communicabilité des données personnelles (par exemple AR038).")


class RetentionIn(Schema):
    """The settings to change: those left out stay as they are. Identifiers are single words,
    without spaces; a refused value answers 422 with its field in `errors`."""

    model_config = examples({"retention_years": 10, "final_fate": "trier"})

    retention_years: int | None = None
    retention_start: Literal["decision", "submission"] | None = None
    final_fate: Literal["conserver", "detruire", "trier"] | None = None
    archival_agreement: str | None = Field(None, max_length=100)
    originating_agency: str | None = Field(None, max_length=100)
    submission_agency: str | None = Field(None, max_length=100)
    archival_profile: str | None = Field(None, max_length=100)
    access_rule: str | None = Field(None, max_length=20)


def _procedure(request: HttpRequest, slug: str, *, write: bool = False) -> Procedure:
    principal = principal_of(request)
    if principal.is_service:
        if write:
            raise HttpError(
                403,
                "Les règles de conservation se modifient par une personne (un administrateur de la démarche ou "
                "l’archiviste), jamais par un compte de service.",
            )
        return principal.procedure_or_404(slug, Scope.RETENTION_READ)
    if not (organisation_ids_administered_by(request.user) or organisation_ids_archived_by(request.user)):
        raise HttpError(403, "Cette API est réservée aux administrateurs des démarches et au service d’archives.")
    procedure = procedures_retention_managed_by(request.user).filter(slug=slug).first()
    if procedure is None:
        raise HttpError(404, "Cette démarche n’existe pas ou vous n’en gérez pas la conservation.")
    return procedure


@router.get(
    "/{slug}/retention",
    response=responses(RetentionOut, not_found=True),
    summary="Règles de conservation",
    description="Pour les administrateurs de la démarche et l’archiviste de son organisation (leur clé), ou un "
    "compte de service qui a le droit `retention:read`.",
)
def retention_get(request: HttpRequest, slug: str):
    return retention_values(_procedure(request, slug))


@router.put(
    "/{slug}/retention",
    response=responses(RetentionOut, not_found=True),
    summary="Modifier les règles de conservation",
    description="Les dossiers dont la durée d’utilité administrative court encore suivent les nouvelles règles. "
    "Pour les administrateurs de la démarche et l’archiviste de son organisation, par leur clé : un compte de "
    "service ne les modifie jamais (403).",
)
def retention_put(request: HttpRequest, slug: str, retention: RetentionIn):
    procedure = _procedure(request, slug, write=True)
    values = retention.dict(exclude_none=True)
    try:
        procedure_retention_update(procedure=procedure, actor=request.user, **values)
    except DjangoValidationError as error:
        # The API's 422 shape: each refused value, its place in the body, and why (in French).
        raise ValidationError(
            [
                {"type": "value_error", "loc": ["body", "retention", field], "msg": message}
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        ) from None
    return retention_values(procedure)
