"""Writes on instructor groups and expert invitations. Dossier state changes are in workflow.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.dossiers.models import Dossier
from guichet.procedures.models import Procedure

from .models import ExpertInvitation, InstructorGroup, InstructorMembership
from .selectors import instructor_can_act_on


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
