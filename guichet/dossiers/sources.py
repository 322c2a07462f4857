"""Asking the state's data APIs for a dossier's fields (« Dites-le-nous une fois », decision 0032):
a SIRET field fills the establishment's identity from API Entreprise; the applicant's FranceConnect
identity, with their consent, fills API Particulier's data. Called by the applicant's pages (the
"Vérifier le SIRET" and "Récupérer mes informations" buttons), never from a view's own code.

The call is made outside any transaction (the applicant waits for it, a few seconds at most); its
outcome is then written at once under the dossier's lock: certified values into the answers and a
SourcedValue per field, or why the source failed, and the field stays typed: the applicant is
never blocked."""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.accounts.data_access import source_access
from guichet.accounts.models import FranceConnectIdentity, User
from guichet.connectors.base import ConnectorError, ConnectorRejected, ConnectorTimeout, ConnectorUnavailable
from guichet.connectors.data_sources import (
    IDENTIFIED_DATA,
    PROVIDER_NAMES,
    PivotIdentity,
    SourceNotFound,
    SourceRateLimited,
    SourceUnauthorised,
)
from guichet.connectors.registry import connector_for
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.procedures.definition import FieldType, FormField
from guichet.procedures.field_sources import SourceProvider, siret_triggers, sourced_fields
from guichet.procedures.selectors import version_form

from .models import Dossier, SourcedValue, SourceOutcome
from .services import dossier_is_editable
from .sourced import siret_compact, sourced_forget

logger = logging.getLogger(__name__)

PAUSE_DEFAULT, PAUSE_LONGEST = 60, 600  # seconds: after a 429 without Retry-After; the longest pause
FRANCE_TRAVAIL_ID = re.compile(r"[0-9A-Z]{7,11}")

_OUTCOMES: tuple[tuple[type[ConnectorError], SourceOutcome], ...] = (
    (SourceNotFound, SourceOutcome.NOT_FOUND),
    (SourceUnauthorised, SourceOutcome.REFUSED),
    (SourceRateLimited, SourceOutcome.RATE_LIMITED),
    (ConnectorTimeout, SourceOutcome.TIMEOUT),
    (ConnectorUnavailable, SourceOutcome.UNAVAILABLE),
    (ConnectorRejected, SourceOutcome.REFUSED),
)


@dataclass(frozen=True)
class FetchResult:
    """How the call went: `outcome` (CERTIFIED, or the first failure), and what to tell the applicant."""

    outcome: SourceOutcome
    message: str

    @property
    def certified(self) -> bool:
        return self.outcome == SourceOutcome.CERTIFIED


def _message(outcome: SourceOutcome, source: str, *, what: str, not_found: str) -> str:
    if outcome == SourceOutcome.CERTIFIED:
        return f"{what} ont été récupérées auprès d’{source} : vérifiez-les. Elles ne peuvent pas être modifiées."
    if outcome == SourceOutcome.NOT_FOUND:
        return f"{not_found} : remplissez les champs vous-même."
    if outcome == SourceOutcome.NO_IDENTITY:
        return (
            f"Pour récupérer ces informations auprès d’{source}, connectez-vous avec FranceConnect ; "
            "sinon, remplissez les champs vous-même."
        )
    return (
        f"{source} ne peut pas répondre pour le moment : remplissez les champs vous-même. "
        "L’instructeur sera informé que ces données ont été saisies."
    )


def _pause_key(provider: str, organisation_id: int) -> str:
    return f"data-source-pause:{provider}:{organisation_id}"


def _ask(call: Callable[[], Any], *, provider: str, organisation_id: int) -> tuple[SourceOutcome, Any]:
    """The source's answer, or why it failed. A 429 pauses every call of the organisation to that
    source (its token's limit is shared by all its applicants) for the `Retry-After` it gave, kept
    in the shared cache so that every web node knows: meanwhile the fields are typed, nothing is sent."""
    key = _pause_key(provider, organisation_id)
    if cache.get(key):
        return SourceOutcome.RATE_LIMITED, None
    try:
        return SourceOutcome.CERTIFIED, call()
    except ConnectorError as error:
        logger.warning("Data source failed: %s", error)
        if isinstance(error, SourceRateLimited):
            cache.set(key, True, timeout=min(error.retry_after or PAUSE_DEFAULT, PAUSE_LONGEST))
        outcome = next(outcome for kind, outcome in _OUTCOMES if isinstance(error, kind))
        return outcome, None


def _editable_check(actor: User, dossier: Dossier) -> None:
    if dossier.applicant_id != actor.pk:
        raise PermissionDenied("Seul l’usager peut compléter son dossier.")
    if not dossier_is_editable(dossier):
        raise ValidationError("Ce dossier ne peut plus être modifié.")


def _answer(field: FormField, value: Any) -> Any:
    """A source's value as the field's answer: text, a number, a yes/no (a checkbox holds only "yes")."""
    if field.type == FieldType.CHECKBOX:
        return True if value else None
    if field.type == FieldType.INTEGER and value is not None:
        return int(value)
    if field.type == FieldType.DECIMAL and value is not None:
        return str(value)
    return value


@transaction.atomic
def _record(
    *, actor: User, dossier: Dossier, values: dict[str, tuple[FormField, SourceOutcome, Any]], **row: Any
) -> None:
    """Write each field's outcome (`values`: field id → (field, outcome, value)) under the lock. A
    failed new call leaves alone a value certified for the same subject (a busy source does not
    undo what it said a minute ago); any other former value of the field is replaced."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _editable_check(actor, locked)
    existing = {r.field_id: r for r in locked.sourced_values.filter(field_id__in=values)}
    answers, now = dict(locked.answers), timezone.now()
    for field_id, (field, outcome, value) in values.items():
        before = existing.get(field_id)
        if outcome != SourceOutcome.CERTIFIED and before and before.certified and before.subject == row["subject"]:
            continue
        if outcome == SourceOutcome.CERTIFIED:
            answer = _answer(field, value)
            if answer is None:
                answers.pop(field_id, None)
            else:
                answers[field_id] = answer
        elif before is not None and before.certified:
            answers.pop(field_id, None)  # another establishment's, or no longer certified
        SourcedValue.objects.update_or_create(
            dossier=locked,
            field_id=field_id,
            defaults={
                "provider": field.source.provider,
                "datum": field.source.datum,
                "outcome": outcome,
                "value": _answer(field, value) if outcome == SourceOutcome.CERTIFIED else None,
                "fetched_at": now,
                **row,
            },
        )
    locked.answers = answers
    locked.save(update_fields=["answers", "updated_at"])
    dossier.answers = answers
    sourced_forget(dossier)
    outcomes = sorted({outcome for _field, outcome, _value in values.values()})
    audit_record(
        actor=actor,
        action=AuditAction.DOSSIER_SOURCE_FETCH,
        target=locked,
        details={"fields": sorted(values), "outcomes": outcomes, "subject": row.get("subject", "")},
    )


def dossier_company_fetch(*, actor: User, dossier: Dossier, siret_field: str) -> FetchResult:
    """Ask API Entreprise for the establishment whose SIRET the applicant gave in `siret_field`,
    and fill the fields that the form takes from it. ValidationError when the SIRET is not a valid
    one (nothing is asked); any failure of the source is a FetchResult, never an error."""
    _editable_check(actor, dossier)
    targets = siret_triggers(version_form(dossier.version_id)).get(siret_field)
    if not targets:
        raise ValidationError("Ce champ ne remplit aucun autre champ.")
    siret = siret_compact(dossier.answers.get(siret_field))
    if not siret:
        raise ValidationError("Saisissez un numéro SIRET valide (14 chiffres) avant de le vérifier.")
    source = PROVIDER_NAMES["api_entreprise"]
    what = "Les informations de l’établissement"
    if _certified_already(dossier, targets, subject=siret):  # a second click asks nothing again
        return FetchResult(SourceOutcome.CERTIFIED, _message(SourceOutcome.CERTIFIED, source, what=what, not_found=""))
    procedure = dossier.procedure
    access = source_access(organisation=procedure.organisation, provider="api_entreprise", purpose=procedure.title)
    connector = connector_for("company_data")
    if connector is None or access is None:
        outcome, data = SourceOutcome.NOT_CONFIGURED, None
    else:
        outcome, data = _ask(
            lambda: connector.establishment(siret=siret, access=access),
            provider="api_entreprise",
            organisation_id=procedure.organisation_id,
        )
    values = {field.id: (field, outcome, data[field.source.datum] if data else None) for field in targets}
    _record(actor=actor, dossier=dossier, values=values, siret_field=siret_field, subject=siret, consent="")
    not_found = f"{source} ne connaît aucun établissement ayant ce numéro SIRET : vérifiez-le, ou"
    return FetchResult(outcome, _message(outcome, source, what=what, not_found=not_found))


def _certified_already(dossier: Dossier, fields: list[FormField], *, subject: str) -> bool:
    """Whether every field is certified already, for this subject: the source is not asked twice
    (its rate limits are the organisation's, shared by all its applicants)."""
    certified = dossier.sourced_values.filter(
        field_id__in=[field.id for field in fields], outcome=SourceOutcome.CERTIFIED, subject=subject
    ).count()
    return certified == len(fields)


def _pivot_identity(user: User) -> PivotIdentity | None:
    identity = FranceConnectIdentity.objects.filter(user=user).first()
    if identity is None or identity.birthdate is None or identity.gender not in {"male", "female"}:
        return None
    return PivotIdentity(
        given_names=tuple(identity.given_name.split()),
        family_name=identity.family_name,
        birthdate=identity.birthdate,
        sex="M" if identity.gender == "male" else "F",
        birthplace=identity.birthplace,
        birthcountry=identity.birthcountry,
    )


def individual_fields(dossier: Dossier, field_ids: set[str] | None = None) -> list[FormField]:
    """The dossier's fields filled from API Particulier (among `field_ids`, when given: a page's)."""
    return [
        field
        for field in sourced_fields(version_form(dossier.version_id))
        if field.source.provider == SourceProvider.API_PARTICULIER and (field_ids is None or field.id in field_ids)
    ]


def france_travail_id_clean(value: str) -> str:
    """The France Travail identifier as typed (spaces and case aside), or ValidationError."""
    identifier = "".join(value.split()).upper()
    if not FRANCE_TRAVAIL_ID.fullmatch(identifier):
        raise ValidationError(
            "L’identifiant France Travail se compose de 7 à 11 chiffres et lettres (par exemple 1234567A) : "
            "vous le trouvez sur vos courriers et dans votre espace France Travail."
        )
    return identifier


def dossier_individual_fetch(
    *,
    actor: User,
    dossier: Dossier,
    consent_given: bool,
    field_ids: set[str] | None = None,
    france_travail_id: str = "",
) -> FetchResult:
    """With the applicant's consent, ask API Particulier for the data of the fields that the form
    takes from it (those among `field_ids`: one page's), about the person FranceConnect certified
    (the job-seeker status with the France Travail identifier they give, its answer checked against
    that identity). ValidationError without consent or identifier; a source's failure is a FetchResult."""
    _editable_check(actor, dossier)
    fields = individual_fields(dossier, field_ids)
    if not fields:
        raise ValidationError("Aucune donnée de cette page ne vient d’API Particulier.")
    if not consent_given:
        raise ValidationError("Pour récupérer ces informations, cochez la case qui dit que vous l’acceptez.")
    source = PROVIDER_NAMES["api_particulier"]
    certified = set(dossier.sourced_values.filter(outcome=SourceOutcome.CERTIFIED).values_list("field_id", flat=True))
    fields = [field for field in fields if field.id not in certified]  # never asked twice
    if any(field.source.datum in IDENTIFIED_DATA for field in fields):
        france_travail_id = france_travail_id_clean(france_travail_id)
    if not fields:
        return FetchResult(
            SourceOutcome.CERTIFIED, _message(SourceOutcome.CERTIFIED, source, what="Vos informations", not_found="")
        )
    person = _pivot_identity(actor)
    connector = connector_for("individual_data")
    procedure = dossier.procedure
    access = source_access(organisation=procedure.organisation, provider="api_particulier", purpose=procedure.title)
    answers: dict[str, tuple[SourceOutcome, Any]] = {}
    for datum in dict.fromkeys(field.source.datum for field in fields):
        if person is None:
            answers[datum] = (SourceOutcome.NO_IDENTITY, None)
        elif connector is None or access is None:
            answers[datum] = (SourceOutcome.NOT_CONFIGURED, None)
        else:
            answers[datum] = _ask(
                lambda datum=datum: connector.individual_datum(
                    datum=datum, person=person, access=access, identifier=france_travail_id
                ),
                provider="api_particulier",
                organisation_id=procedure.organisation_id,
            )
    values = {field.id: (field, *answers[field.source.datum]) for field in fields}
    consent = "\n".join(dict.fromkeys(field.source.consent for field in fields))
    _record(actor=actor, dossier=dossier, values=values, siret_field="", subject="", consent=consent)
    outcome = next((o for o, _v in answers.values() if o != SourceOutcome.CERTIFIED), SourceOutcome.CERTIFIED)
    not_found = f"{source} n’a pas trouvé vos informations"
    return FetchResult(outcome, _message(outcome, source, what="Vos informations", not_found=not_found))
