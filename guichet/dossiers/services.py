"""Writes on dossiers made by their applicant. State changes go through instruction.workflow."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.tasks import email_send
from guichet.procedures.definition import FormDefinition, definition_validate
from guichet.procedures.models import Procedure, ProcedureVersion

from .models import Dossier, DossierState
from .versions import Problem, answers_fit, version_notice_text


@transaction.atomic
def dossier_create(*, actor: User, procedure: Procedure, answers: dict[str, Any] | None = None) -> Dossier:
    """Start a draft on the latest published version of a procedure."""
    if procedure.status != Procedure.Status.PUBLISHED:
        raise ValidationError("Cette démarche n’accepte pas de nouveaux dossiers.")
    today = timezone.localdate()
    if procedure.opens_on and today < procedure.opens_on:
        raise ValidationError(f"Cette démarche ouvrira le {procedure.opens_on:%d/%m/%Y}.")
    if procedure.closes_on and today > procedure.closes_on:
        raise ValidationError(f"Cette démarche est close depuis le {procedure.closes_on:%d/%m/%Y}.")
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


@dataclass
class MigrationReport:
    """What `dossiers_version_migrate` found: the drafts moved, and those kept with their problems."""

    moved: list[int] = field(default_factory=list)
    kept: dict[int, list[Problem]] = field(default_factory=dict)


def dossiers_version_migrate(
    *, procedure: Procedure, version: ProcedureVersion, actor: User | None = None
) -> MigrationReport:
    """Move the drafts filled on an older version of the procedure's form to `version` when their
    answers fit it (see `answers_fit`); leave the others where they are, with a notice for the applicant.

    One transaction per dossier, under a lock, and only while the dossier is still a draft: a dossier
    filed meanwhile keeps the version and answers it was filed with. Safe to run again: a draft
    already moved, or already told the same thing, is left alone and gets no new audit event. Does
    nothing when `version` is no longer the latest: the run for the later version takes over."""
    report = MigrationReport()
    if procedure.latest_version != version:
        return report
    versions = {v.pk: v for v in procedure.versions.all()}
    forms: dict[int, FormDefinition] = {version.pk: definition_validate(version.definition)}
    today, published_on = timezone.localdate(), timezone.localdate(version.published_at)
    pending = Dossier.objects.filter(
        procedure=procedure, state=DossierState.DRAFT, version__number__lt=version.number
    ).order_by("pk")
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().filter(pk=pk).first()
            if dossier is None or dossier.state != DossierState.DRAFT:
                continue  # deleted or filed since the list was read
            old = versions.get(dossier.version_id) or dossier.version
            if old.number >= version.number:
                continue
            if old.pk not in forms:
                forms[old.pk] = definition_validate(old.definition)
            problems = answers_fit(old_form=forms[old.pk], new_form=forms[version.pk], raw=dossier.answers, today=today)
            if not problems:
                dossier.version, dossier.version_notice = version, ""
                dossier.save(update_fields=["version", "version_notice", "updated_at"])
                details = {"from_version": old.number, "to_version": version.number}
                audit_record(actor=actor, action="dossier.version_migrate", target=dossier, details=details)
                report.moved.append(pk)
                continue
            report.kept[pk] = problems
            notice = version_notice_text(published_on=published_on, problems=problems)
            if dossier.version_notice != notice:
                dossier.version_notice = notice
                dossier.save(update_fields=["version_notice", "updated_at"])
                details = {"version": old.number, "new_version": version.number, "problems": problems}
                audit_record(actor=actor, action="dossier.version_kept", target=dossier, details=details)
                _version_notice_send(dossier, procedure, notice)
    return report


def _version_notice_send(dossier: Dossier, procedure: Procedure, notice: str) -> None:
    """Tell the applicant by email, once the notice is stored (it also shows on their draft)."""
    email = dossier.applicant.email
    body = (
        f"Bonjour,\n\n{notice}\n\nDémarche : {procedure.title}\n"
        f"Votre brouillon n°{dossier.pk} vous attend dans votre espace.\n\n"
        f"{settings.GUICHET_PLATFORM_NAME}\n"
    )
    subject = f"{procedure.title} : la démarche a été mise à jour"
    transaction.on_commit(lambda: email_send.enqueue(subject=subject, body=body, to=[email]))
