"""Writes on acts: their templates, and each act's life. An act is due when a transition of the
workflow issues one (dossiers/workflow.py says which); the follow-up chain (instruction/followup)
asks for it, has it made and sealed here, and tries again when its generation fails."""

import hashlib
import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.dossiers.changes import dossier_changed
from guichet.dossiers.models import TransitionLog
from guichet.procedures.definition import DefinitionInvalid, FormDefinition, definition_validate
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import version_form

from .content import TemplateText, dossier_context, form_field_ids, sample_context, template_text
from .models import Act, ActKind, ActStatus, ActTemplate
from .rendering import ActLayout, act_pdf
from .seal import pdf_seal
from .template_limits import TemplateTooCostly
from .templating import TemplateInvalid, TemplateProblem, template_check

logger = logging.getLogger(__name__)

# --- Templates -------------------------------------------------------------------------------------


def procedure_template_form(procedure: Procedure) -> FormDefinition | None:
    """The form whose fields a template may name: the working form, else the latest published one."""
    try:
        return definition_validate(procedure.draft_definition)
    except DefinitionInvalid:
        latest = procedure.latest_version
        return version_form(latest.pk) if latest is not None else None


def procedure_field_ids(procedure: Procedure) -> set[str]:
    """Every field that a dossier of the procedure may have answered: those of the working form and
    of every published version (older dossiers keep their version)."""
    ids = set(form_field_ids(procedure_template_form(procedure)))
    for version_id in procedure.versions.values_list("pk", flat=True):
        ids.update(form_field_ids(version_form(version_id)))
    return ids


@transaction.atomic
def act_template_save(
    *,
    actor: User,
    procedure: Procedure,
    kind: ActKind,
    title: str,
    body: str,
    signatory_name: str = "",
    signatory_title: str = "",
) -> ActTemplate:
    """Save the template of one kind of act for a procedure, after checking it whole (syntax, tags,
    fields named, a rendering on a sample dossier): TemplateInvalid lists each problem with its
    line, and nothing is saved."""
    title, body = title.strip(), body.replace("\r\n", "\n").strip() + "\n"
    problems = []
    if not title:
        problems.append(TemplateProblem(None, "le titre de l’acte est obligatoire"))
    if not body.strip():
        problems.append(TemplateProblem(None, "le texte de l’acte est obligatoire"))
    if problems:
        raise TemplateInvalid(problems)
    form = procedure_template_form(procedure)
    sample = sample_context(procedure, form, kind=kind, signatory_name=signatory_name, signatory_title=signatory_title)
    template_check(body, field_ids=procedure_field_ids(procedure), sample=sample)
    template, created = ActTemplate.objects.update_or_create(
        procedure=procedure,
        kind=kind,
        defaults={
            "title": title[:200],
            "body": body,
            "signatory_name": signatory_name.strip()[:200],
            "signatory_title": signatory_title.strip()[:200],
            "updated_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.ACT_TEMPLATE_SAVE,
        target=template,
        details={"procedure": procedure.slug, "kind": kind, "created": created},
    )
    return template


@transaction.atomic
def act_template_reset(*, actor: User, procedure: Procedure, kind: ActKind) -> None:
    """Go back to the default text for one kind of act."""
    deleted, _ = ActTemplate.objects.filter(procedure=procedure, kind=kind).delete()
    if deleted:
        audit_record(actor=actor, action=AuditAction.ACT_TEMPLATE_RESET, target=procedure, details={"kind": kind})


# --- Acts ------------------------------------------------------------------------------------------


def act_for_transition(*, log: TransitionLog, kind: ActKind) -> Act:
    """The act that a transition issues: written once (a retried step finds the same row)."""
    act, _ = Act.objects.get_or_create(
        transition=log,
        kind=kind,
        defaults={"dossier_id": log.dossier_id, "requested_by_id": log.actor_id, "requested_at": log.at},
    )
    return act


def _signatory(text: TemplateText, act: Act, organisation_name: str) -> tuple[str, str]:
    name, title = text.signatory_name, text.signatory_title
    if not name:
        # A decision is signed by whoever made it; a receipt by the administration (its
        # transition's actor is the applicant who filed).
        decision = act.transition if act.kind != ActKind.RECEIPT and act.transition_id else None
        decider = decision.actor if decision is not None and decision.actor_id else None
        name = decider.get_full_name() if decider is not None and decider.get_full_name() else organisation_name
    if not title:
        title = "Pour l’administration" if name != organisation_name else ""
    return name, title


def act_build(act: Act, *, now: datetime | None = None, signer=None, timestamper=None) -> tuple[bytes, str, str, str]:
    """Render and seal an act: (sealed PDF, title, issuer, seal level). Touches no row."""
    now = now or timezone.now()
    dossier = act.dossier
    procedure = dossier.procedure
    organisation = procedure.organisation
    snapshot = (
        dossier.snapshots.filter(created_at__lte=max(act.requested_at, dossier.submitted_at or act.requested_at))
        .order_by("-created_at", "-pk")
        .first()
    )
    form = version_form(snapshot.version_id if snapshot else dossier.version_id)
    answers = snapshot.answers if snapshot else dossier.answers
    text = template_text(procedure, ActKind(act.kind))
    signatory_name, signatory_title = _signatory(text, act, organisation.name)
    context = dossier_context(
        dossier,
        form=form,
        answers=answers,
        transition=act.transition if act.kind != ActKind.RECEIPT else None,
        signatory_name=signatory_name,
        signatory_title=signatory_title,
        now=now,
    )
    if act.facts:
        context["paiement"] = act.facts
    layout = ActLayout(
        title=text.title,
        body=text.body,
        context=context,
        code=act.code,
        code_display=act.code_display,
        number=dossier.number or "",
        procedure_title=procedure.title,
        organisation=organisation,
        signatory_name=signatory_name,
        signatory_title=signatory_title,
        act_date=context["date_acte"],
    )
    sealed = pdf_seal(
        act_pdf(layout),
        signatory=", ".join(part for part in (signatory_name, signatory_title) if part),
        signer=signer,
        timestamper=timestamper,
    )
    return sealed.pdf, text.title, organisation.name, sealed.level


def _act_for_work(act_id: int) -> Act:
    return Act.objects.select_related(
        "dossier__procedure__organisation__parent__parent",
        "dossier__group",
        "transition__actor",
    ).get(pk=act_id)


def act_issue(*, act_id: int, signer=None, timestamper=None) -> Act:
    """Make, seal and store an act. The slow part (rendering and sealing) runs outside any
    transaction; the act is then issued under its row lock, once: a second worker on the same act
    keeps the first one's. Recorded in the audit trail."""
    act = _act_for_work(act_id)
    if act.status == ActStatus.ISSUED:
        return act
    pdf, title, issuer, level = act_build(act, signer=signer, timestamper=timestamper)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = Act.objects.select_for_update().get(pk=act_id)
        if locked.status == ActStatus.ISSUED:
            return locked
        name = Act._meta.get_field("pdf").storage.save(
            f"actes/{act.dossier_id}/{act.kind_slug}-{act.code}.pdf", ContentFile(pdf)
        )
        issued_at = timezone.now()
        Act.objects.filter(pk=act_id).update(
            status=ActStatus.ISSUED,
            pdf=name,
            sha256=digest,
            size=len(pdf),
            issued_at=issued_at,
            title=title,
            issuer=issuer,
            seal_level=level,
            attempts=locked.attempts + 1,
            last_error="",
        )
        dossier_changed(act.dossier)
        audit_record(
            actor=None,
            action=AuditAction.ACT_ISSUE,
            target=locked,
            details={
                "dossier": act.dossier.number,
                "kind": act.kind,
                "code": act.code,
                "sha256": digest,
                "seal": level,
            },
        )
    return _act_for_work(act_id)


@transaction.atomic
def act_generation_failed(*, act_id: int, error: BaseException, given_up: bool) -> Act:
    """Record a failed generation: the act stays pending while the chain will try again, and is
    marked failed once it gives up (the instructors see it and can try again)."""
    act = Act.objects.select_for_update().get(pk=act_id)
    if act.status == ActStatus.ISSUED:
        return act
    attempts = act.attempts + 1
    status = ActStatus.FAILED if given_up else ActStatus.PENDING
    if isinstance(error, TemplateTooCostly):  # the procedure administrator has the template to change
        message = f"modèle de l’acte à faire corriger : {error}"
    else:
        message = f"{type(error).__name__} : {error}"
    message = message[:2000]
    Act.objects.filter(pk=act_id).update(attempts=attempts, status=status, last_error=message)
    audit_record(
        actor=None,
        action=AuditAction.ACT_GENERATION_FAIL,
        target=act,
        details={"attempts": attempts, "error": message[:500], "given_up": given_up},
    )
    act.refresh_from_db()
    return act


@transaction.atomic
def act_retry_prepare(*, actor: User, act: Act) -> Act:
    """An instructor asks to try again a generation that failed: the act is pending again (the
    follow-up chain then makes it, instruction.followup.act_retry)."""
    locked = Act.objects.select_for_update().get(pk=act.pk)
    if locked.status != ActStatus.FAILED:
        raise ValidationError("Seule la génération d’un acte en échec peut être relancée.")
    Act.objects.filter(pk=act.pk).update(status=ActStatus.PENDING)
    audit_record(actor=actor, action=AuditAction.ACT_RETRY, target=locked, details={"attempts": locked.attempts})
    locked.refresh_from_db()
    return locked


def act_attachment(act: Act) -> tuple[str, bytes, str]:
    """An issued act as an email attachment: (file name, content, type)."""
    with act.pdf.open("rb") as stored:
        return act.file_name, stored.read(), "application/pdf"
