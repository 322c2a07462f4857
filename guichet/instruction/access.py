"""Who sees which dossier in the back office: an instructor, the filed dossiers of their groups (one
of another group does not exist for them); an expert, those they are currently invited on."""

from django.db import models
from django.db.models import QuerySet

from guichet.accounts.models import User
from guichet.documents.models import Act
from guichet.documents.selectors import acts_of_dossier
from guichet.dossiers.models import Dossier, DossierState
from guichet.invoicing.models import Invoice
from guichet.invoicing.selectors import invoice_of_dossier
from guichet.procedures.models import InstructorMembership

from .models import ExpertInvitation


def dossiers_visible_to_instructor(user: User) -> QuerySet[Dossier]:
    """The filed dossiers of the instructor's groups (drafts are the applicant's alone)."""
    groups = InstructorMembership.objects.filter(user=user).values("group_id")
    return Dossier.objects.filter(group_id__in=groups).exclude(state=DossierState.DRAFT)


def dossier_for_instructor(user: User, pk: int) -> Dossier:
    """A filed dossier of one of the instructor's groups; Dossier.DoesNotExist for any other."""
    return (
        dossiers_visible_to_instructor(user)
        .select_related("procedure", "procedure__organisation", "group", "applicant")
        .defer("procedure__draft_definition")
        .get(pk=pk)
    )


def dossier_group_instructors(dossier: Dossier) -> QuerySet[User]:
    """Who may be put in charge of the dossier: the active instructors of its group."""
    members = InstructorMembership.objects.filter(group_id=dossier.group_id).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("last_name", "first_name", "email")


def act_of_instructor(user: User, *, dossier_pk: int, act_pk: int) -> Act:
    """An act of a dossier of the instructor's groups; Act.DoesNotExist for any other."""
    try:
        dossier = dossier_for_instructor(user, dossier_pk)
    except Dossier.DoesNotExist:
        raise Act.DoesNotExist from None
    act = acts_of_dossier(dossier, issued_only=False).get(pk=act_pk)
    act.dossier = dossier
    return act


def invoice_of_instructor(user: User, *, dossier_pk: int, invoice_pk: int) -> Invoice:
    """An invoice of a dossier of the instructor's groups; Invoice.DoesNotExist for any other."""
    try:
        dossier = dossier_for_instructor(user, dossier_pk)
    except Dossier.DoesNotExist:
        raise Invoice.DoesNotExist from None
    return invoice_of_dossier(dossier, invoice_pk)


def expert_invitations_of(user: User) -> QuerySet[ExpertInvitation]:
    """The expert's current invitations, the unanswered first, then the latest."""
    return (
        ExpertInvitation.objects.filter(expert=user, revoked_at__isnull=True)
        .exclude(dossier__state=DossierState.DRAFT)
        .select_related("dossier", "dossier__procedure", "invited_by")
        .defer("dossier__answers", "dossier__procedure__draft_definition")
        .order_by(models.F("answered_at").desc(nulls_first=True), "-created_at")
    )


def expert_invitation_for(user: User, pk: int) -> ExpertInvitation:
    """One of the expert's current invitations; ExpertInvitation.DoesNotExist for any other, and
    for one revoked: the expert sees the dossier only while invited."""
    return (
        ExpertInvitation.objects.filter(expert=user, revoked_at__isnull=True)
        .exclude(dossier__state=DossierState.DRAFT)
        .select_related("dossier", "dossier__procedure", "dossier__procedure__organisation", "answer_file")
        .defer("dossier__procedure__draft_definition")
        .get(pk=pk)
    )


def dossier_expert_invitations(dossier: Dossier) -> QuerySet[ExpertInvitation]:
    """Every opinion asked on a dossier, for its instructors (never shown to the applicant)."""
    return dossier.expert_invitations.select_related("expert", "invited_by", "answer_file").order_by("created_at")


def dossiers_visible_to_expert(user: User) -> QuerySet[Dossier]:
    """The dossiers on which the person is currently invited to give an opinion."""
    invitations = ExpertInvitation.objects.filter(expert=user, revoked_at__isnull=True)
    return Dossier.objects.filter(pk__in=invitations.values("dossier_id")).exclude(state=DossierState.DRAFT)
