"""Writes on instructor groups and expert invitations, and the platform's implicit decisions.
Dossier state changes are in workflow.py."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.dossiers.models import Dossier
from guichet.procedures.models import Procedure

from .deadlines import RUNNING_STATES, dossier_waits_for_corrections, dossiers_silence_due
from .models import ExpertInvitation, InstructorGroup, InstructorMembership, TransitionLog
from .selectors import instructor_can_act_on
from .workflow import TransitionName, TransitionNotAllowed, dossier_transition

logger = logging.getLogger(__name__)


@transaction.atomic
def instructor_group_create(
    *, actor: User | None, procedure: Procedure, name: str, is_default: bool = False
) -> InstructorGroup:
    """Create an instructor group for a procedure."""
    group = InstructorGroup(procedure=procedure, name=name, is_default=is_default)
    group.full_clean()
    group.save()
    audit_record(
        actor=actor,
        action="instructor_group.create",
        target=group,
        details={"name": name, "default": is_default},
    )
    return group


@transaction.atomic
def instructor_group_add_member(*, actor: User | None, group: InstructorGroup, user: User) -> InstructorMembership:
    """Make someone an instructor of a group (adding them twice changes nothing)."""
    membership, created = InstructorMembership.objects.get_or_create(group=group, user=user)
    if created:
        audit_record(actor=actor, action="instructor_group.add_member", target=group, details={"user": user.email})
    return membership


@transaction.atomic
def instructor_group_update(*, actor: User, group: InstructorGroup, name: str, is_default: bool) -> InstructorGroup:
    """Rename a group, or make it the procedure's default group (the previous default stops being one)."""
    group = InstructorGroup.objects.select_for_update().get(pk=group.pk)
    if group.is_default and not is_default:
        raise ValidationError("Choisissez un autre groupe par défaut : la démarche en garde toujours un.")
    if is_default and not group.is_default:
        InstructorGroup.objects.filter(procedure_id=group.procedure_id, is_default=True).update(is_default=False)
    group.name, group.is_default = name.strip(), is_default
    group.full_clean()
    group.save()
    audit_record(
        actor=actor, action="instructor_group.update", target=group, details={"name": group.name, "default": is_default}
    )
    return group


@transaction.atomic
def instructor_group_delete(*, actor: User, group: InstructorGroup) -> None:
    """Delete a group that never received a dossier and is not the default one."""
    group = InstructorGroup.objects.select_for_update().get(pk=group.pk)
    if group.is_default:
        raise ValidationError("Le groupe par défaut ne peut pas être supprimé.")
    if group.dossiers.exists():
        raise ValidationError("Ce groupe a reçu des dossiers : il ne peut pas être supprimé.")
    procedure = Procedure.objects.select_for_update().get(pk=group.procedure_id)
    procedure.routing_map = {value: pk for value, pk in procedure.routing_map.items() if pk != group.pk}
    procedure.save(update_fields=["routing_map", "updated_at"])
    audit_record(actor=actor, action="instructor_group.delete", target=procedure, details={"name": group.name})
    group.delete()


@transaction.atomic
def instructor_group_remove_member(*, actor: User, group: InstructorGroup, user: User) -> None:
    """Take someone out of a group (dossiers they followed stay with the group)."""
    deleted, _ = InstructorMembership.objects.filter(group=group, user=user).delete()
    if deleted:
        audit_record(actor=actor, action="instructor_group.remove_member", target=group, details={"user": user.email})


@transaction.atomic
def procedure_routing_set(*, actor: User, procedure: Procedure, field_id: str, mapping: dict[str, int]) -> Procedure:
    """Route filed dossiers by their answer to one choice or yes/no field: `mapping` gives the group
    (id) for each answer; answers without a group go to the default group. An empty field_id routes
    everything to the default group."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    group_ids = set(locked.instructor_groups.values_list("pk", flat=True))
    if any(pk not in group_ids for pk in mapping.values()):
        raise ValidationError("Un des groupes choisis n’appartient pas à cette démarche.")
    locked.routing_field = field_id
    locked.routing_map = {str(value): pk for value, pk in mapping.items() if pk} if field_id else {}
    locked.save(update_fields=["routing_field", "routing_map", "updated_at"])
    audit_record(
        actor=actor,
        action="procedure.routing_set",
        target=locked,
        details={"field": field_id, "rules": len(locked.routing_map)},
    )
    procedure.refresh_from_db()
    return procedure


@transaction.atomic
def expert_invite(
    *, actor: User, dossier: Dossier, expert: User, question: str, confidential: bool = False
) -> ExpertInvitation:
    """Ask someone for their opinion on one dossier (only an instructor of its group may)."""
    if not instructor_can_act_on(actor, dossier):
        raise PermissionDenied("Seuls les instructeurs du dossier peuvent demander un avis.")
    question = question.strip()
    if not question:
        raise ValidationError("Indiquez la question posée à l’expert.")
    invitation = ExpertInvitation.objects.create(
        dossier=dossier, expert=expert, invited_by=actor, question=question, confidential=confidential
    )
    audit_record(
        actor=actor,
        action="expert.invite",
        target=dossier,
        details={"expert": expert.email, "invitation": invitation.pk},
    )
    return invitation


# What the administration's silence decides, and the legal mention that motivates it.
SILENCE_DECISIONS: dict[str, tuple[TransitionName, str]] = {
    Procedure.SilenceRule.ACCEPTANCE: (
        TransitionName.ACCEPT,
        "Décision implicite d’acceptation : en l’absence de réponse de l’administration dans le délai de "
        "{days}, le silence gardé vaut acceptation (article L. 231-1 du code des relations entre le "
        "public et l’administration).",
    ),
    Procedure.SilenceRule.REFUSAL: (
        TransitionName.REFUSE,
        "Décision implicite de rejet : en l’absence de réponse de l’administration dans le délai de "
        "{days}, le silence gardé vaut décision de rejet (article L. 231-4 du code des relations "
        "entre le public et l’administration).",
    ),
}

SILENCE_BATCH_SIZE = 100


@dataclass
class SilenceReport:
    """What `dossiers_silence_decide` did: the dossiers decided, those found decided or changed
    meanwhile (skipped), and those that failed (logged, tried again on the next run)."""

    decided: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def dossiers_silence_decide(*, now: datetime, batch_size: int = SILENCE_BATCH_SIZE) -> SilenceReport:
    """Decide, as the procedure says silence does, every dossier whose processing deadline passed
    at `now` without a decision (see deadlines.dossiers_silence_due): the ACCEPT or REFUSE
    transition, by the platform itself (role SYSTEM), motivated by the legal mention.

    The candidates are read in batches of `batch_size`; each dossier is then decided in a
    transaction of its own, under its row lock, after checking again that it is still due: one
    decided meanwhile by an instructor, or sent back for corrections, is skipped, and one dossier's
    failure never stops the others. Running it again, or twice at once, decides nothing twice."""
    report = SilenceReport()
    after = 0
    while True:
        batch = list(
            dossiers_silence_due(now).filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return report
        after = batch[-1]
        for pk in batch:
            try:
                log = _dossier_silence_decide(pk=pk, now=now)
            except TransitionNotAllowed:
                log = None
            except Exception:
                logger.exception("Décision implicite impossible sur le dossier %s", pk)
                report.failed.append(pk)
                continue
            (report.decided if log is not None else report.skipped).append(pk)


@transaction.atomic
def _dossier_silence_decide(*, pk: int, now: datetime) -> TransitionLog | None:
    # of=("self",): on PostgreSQL, lock the dossier's row and not its procedure's.
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("procedure").filter(pk=pk).first()
    if dossier is None:
        return None
    procedure = dossier.procedure
    still_due = (
        dossier.state in RUNNING_STATES
        and dossier.due_at is not None
        and dossier.due_at <= now
        and procedure.silence_rule in SILENCE_DECISIONS
        and not dossier_waits_for_corrections(dossier)
    )
    if not still_due:
        return None
    name, mention = SILENCE_DECISIONS[procedure.silence_rule]
    log = dossier_transition(
        dossier=dossier,
        name=name,
        actor=None,
        motivation=mention.format(days=_days(procedure.processing_days)),
        already_locked=True,
    )
    silence_decision_done(dossier=dossier, log=log)
    return log


def _days(count: int) -> str:
    return f"{count} jour" if count == 1 else f"{count} jours"


def silence_decision_done(*, dossier: Dossier, log: TransitionLog) -> None:
    """Called after each implicit decision, inside its transaction (the dossier decided, `log`
    its transition): the place to tell the applicant, e.g. an email enqueued with
    `transaction.on_commit`. Nothing yet."""
