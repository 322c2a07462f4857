"""Writes on dossiers made by their applicant. State changes go through instruction.workflow."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.procedures.models import Procedure

from .models import Dossier, DossierState


@transaction.atomic
def dossier_create(*, actor: User, procedure: Procedure, answers: dict[str, Any] | None = None) -> Dossier:
    """Start a draft on the latest published version of a procedure."""
    if procedure.status != Procedure.Status.PUBLISHED:
        raise ValidationError("Cette démarche n’accepte pas de nouveaux dossiers.")
    version = procedure.latest_version
    if version is None:
        raise ValidationError("Cette démarche n’a pas encore de formulaire publié.")
    dossier = Dossier.objects.create(procedure=procedure, version=version, applicant=actor, answers=answers or {})
    audit_record(actor=actor, action="dossier.create", target=dossier, details={"procedure": procedure.slug})
    return dossier


@transaction.atomic
def dossier_answers_update(*, actor: User, dossier: Dossier, answers: dict[str, Any]) -> Dossier:
    """Save answers on a dossier that its applicant may still edit (a draft, or one being corrected)."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.applicant_id != actor.pk:
        raise ValidationError("Seul l’usager peut modifier son dossier.")
    if dossier.state not in {DossierState.DRAFT, DossierState.SUBMITTED}:
        raise ValidationError("Ce dossier est en instruction : il ne peut plus être modifié.")
    changed = sorted(key for key in answers if dossier.answers.get(key) != answers[key])
    dossier.answers = {**dossier.answers, **answers}
    dossier.save(update_fields=["answers", "updated_at"])
    audit_record(actor=actor, action="dossier.answers_update", target=dossier, details={"fields": changed})
    return dossier
