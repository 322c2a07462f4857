from django.db.models import QuerySet

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierState

from .models import ExpertInvitation, InstructorMembership


def instructor_can_act_on(user: User, dossier: Dossier) -> bool:
    return (
        dossier.group_id is not None
        and InstructorMembership.objects.filter(group_id=dossier.group_id, user=user).exists()
    )


def dossier_instructor_emails(dossier: Dossier) -> list[str]:
    """The addresses of the instructors of the dossier's group, to tell them something happened."""
    if dossier.group_id is None:
        return []
    memberships = InstructorMembership.objects.filter(group_id=dossier.group_id, user__is_active=True)
    return list(memberships.values_list("user__email", flat=True))


def dossiers_visible_to_instructor(user: User) -> QuerySet[Dossier]:
    """The filed dossiers of the instructor's groups (drafts are the applicant's alone)."""
    return Dossier.objects.filter(group__memberships__user=user).exclude(state=DossierState.DRAFT)


def dossiers_visible_to_expert(user: User) -> QuerySet[Dossier]:
    """The dossiers on which the person is currently invited to give an opinion."""
    invitations = ExpertInvitation.objects.filter(expert=user, revoked_at__isnull=True)
    return Dossier.objects.filter(pk__in=invitations.values("dossier_id")).exclude(state=DossierState.DRAFT)
