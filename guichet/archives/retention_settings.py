"""A procedure's retention settings (« conservation et archivage »): how long its decided dossiers
are kept (DUA) and from when, their final fate, and what their archive packages declare (archival
agreement, agencies, profile, access rule). One service changes them, for the builder, the
archivist's space and the API alike; dossiers whose DUA still runs follow the new rules."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.procedures.models import RETENTION_IDENTIFIER_PATTERN, FinalFate, Procedure, RetentionStart
from guichet.procedures.readiness import PublicationCheck

from .models import ArchivalState, DossierRetention
from .retention import retention_schedule

RETENTION_FIELDS = (
    "retention_years",
    "retention_start",
    "final_fate",
    "archival_agreement",
    "originating_agency",
    "submission_agency",
    "archival_profile",
    "access_rule",
)
# The identifiers go as they are into the SEDA manifest (xsd:token) and Vitam's referentials: one
# word of letters, digits and a few separators, no spaces.
IDENTIFIER_FIELDS = ("archival_agreement", "originating_agency", "submission_agency", "archival_profile", "access_rule")
IDENTIFIER_PATTERN = re.compile(RETENTION_IDENTIFIER_PATTERN)
IDENTIFIER_MESSAGE = (
    "Un identifiant s’écrit d’un seul tenant, sans espace ni accent : lettres, chiffres et les signes "
    "« - », « _ », « . », « : » ou « / » (par exemple IC-000001)."
)
# What changes the dossiers' DUA or fate: the running retentions are computed again.
_SCHEDULE_FIELDS = {"retention_years", "retention_start", "final_fate"}


def retention_values(procedure: Procedure) -> dict[str, Any]:
    """The procedure's retention settings, by name."""
    return {name: getattr(procedure, name) for name in RETENTION_FIELDS}


def retention_values_check(values: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with these settings (all of them, by field), in French: empty when nothing."""
    errors: dict[str, list[str]] = {}
    years = values.get("retention_years")
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 100:
        errors["retention_years"] = ["La durée d’utilité administrative se compte en années, de 1 à 100."]
    if values.get("retention_start") not in RetentionStart.values:
        errors["retention_start"] = ["Choisissez le point de départ : la date de la décision ou celle du dépôt."]
    if values.get("final_fate") not in FinalFate.values:
        errors["final_fate"] = ["Choisissez le sort final : conserver, détruire ou trier."]
    for name in IDENTIFIER_FIELDS:
        value = values.get(name)
        if not isinstance(value, str):
            errors[name] = ["Un texte est attendu."]
        elif len(value) > Procedure._meta.get_field(name).max_length:
            errors[name] = [f"{Procedure._meta.get_field(name).max_length} caractères au plus."]
        elif value and not IDENTIFIER_PATTERN.match(value):
            errors[name] = [IDENTIFIER_MESSAGE]
    if not values.get("access_rule") and "access_rule" not in errors:
        errors["access_rule"] = [
            "Indiquez la règle de communicabilité des données personnelles (AR038 : vie privée, 50 ans)."
        ]
    return errors


def retention_reschedule(*, procedure: Procedure, **kwargs: Any) -> int:
    """Compute again, from the procedure's current rules, the retention of its dossiers whose DUA
    still runs; returns how many changed. Also the listener of `procedure_retention_changed` (an
    imported procedure document may change the rules)."""
    rescheduled = 0
    running = DossierRetention.objects.filter(dossier__procedure=procedure, state=ArchivalState.ACTIVE)
    for retention in running.select_related("dossier").iterator(chunk_size=500):
        dossier = retention.dossier
        dossier.procedure = procedure  # the rules just saved, not a copy read again per dossier
        before = (retention.ends_on, retention.final_fate)
        after = retention_schedule(dossier=dossier)
        if after is not None and (after.ends_on, after.final_fate) != before:
            rescheduled += 1
    return rescheduled


@transaction.atomic
def procedure_retention_update(*, procedure: Procedure, actor: User | None, **values: Any) -> Procedure:
    """Change a procedure's retention settings (any of RETENTION_FIELDS; the others stay). Raises
    ValidationError (messages by field) and changes nothing when a value is refused. The dossiers
    whose DUA still runs get their end date and final fate again from the new rules; those already
    past it (to transfer, transferred, to eliminate...) keep what was decided for them."""
    unknown = set(values) - set(RETENTION_FIELDS)
    if unknown:
        raise ValueError(f"unknown retention settings: {sorted(unknown)}")
    values = {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    errors = retention_values_check({**retention_values(locked), **values})
    if errors:
        raise ValidationError(errors)
    changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
    for name in changed:
        setattr(locked, name, values[name])
    rescheduled = 0
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
        if _SCHEDULE_FIELDS & set(changed):
            rescheduled = retention_reschedule(procedure=locked)
    audit_record(
        actor=actor,
        action=AuditAction.PROCEDURE_RETENTION_UPDATE,
        target=locked,
        details={"fields": changed, "values": {name: values[name] for name in changed}, "rescheduled": rescheduled},
    )
    procedure.refresh_from_db()
    return procedure


def retention_publication_checks(*, procedure: Procedure, checks: list[PublicationCheck]) -> None:
    """Listener of `publication_checks_asked`: a procedure whose dossiers will be transferred needs
    the archival agreement that the archival system expects on every package."""
    if procedure.final_fate in {FinalFate.KEEP, FinalFate.SORT} and not procedure.archival_agreement:
        checks.append(
            PublicationCheck(
                f"Le sort final est « {FinalFate(procedure.final_fate).label} », mais aucun contrat d’entrée "
                "(accord de versement) n’est indiqué : les dossiers ne pourront pas être versés aux archives "
                "à la fin de leur durée d’utilité administrative.",
                where="retention",
            )
        )
