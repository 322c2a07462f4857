import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierState
from guichet.procedures.models import Procedure

from .models import DossierFollow, ExpertInvitation, InstructorGroup, InstructorMembership, Label, ListPreference


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
    groups = InstructorMembership.objects.filter(user=user).values("group_id")
    return Dossier.objects.filter(group_id__in=groups).exclude(state=DossierState.DRAFT)


def expert_invited_on(user: User, dossier: Dossier) -> bool:
    """Whether the person is currently invited to give an opinion on this dossier."""
    return ExpertInvitation.objects.filter(expert=user, dossier=dossier, revoked_at__isnull=True).exists()


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


# --- The back office's lists --------------------------------------------------------------------


class Tab(models.TextChoices):
    """The instructor's working lists of one procedure."""

    TO_PROCESS = "a-traiter", _("À traiter")
    FOLLOWED = "suivis", _("Suivis")
    PROCESSED = "traites", _("Traités")
    ALL = "tous", _("Tous")
    ARCHIVED = "archives", _("Archivés")


PAGE_SIZE = 50
_PROCESSED_STATES = [*DossierState.decided(), DossierState.WITHDRAWN]


def procedures_of_instructor(user: User) -> QuerySet[Procedure]:
    """The procedures in which the person belongs to at least one instructor group."""
    groups = InstructorMembership.objects.filter(user=user).values("group__procedure_id")
    return Procedure.objects.filter(pk__in=groups).defer("draft_definition").order_by("title")


def instructor_groups_in(user: User, procedure: Procedure) -> QuerySet[InstructorGroup]:
    return InstructorGroup.objects.filter(procedure=procedure, memberships__user=user).order_by("name")


def _tab_filter(tab: Tab, user: User) -> Q:
    if tab == Tab.ARCHIVED:
        return Q(archived_at__isnull=False)
    current = Q(archived_at__isnull=True)
    if tab == Tab.TO_PROCESS:
        return current & Q(state=DossierState.SUBMITTED)
    if tab == Tab.FOLLOWED:
        return current & Q(Exists(DossierFollow.objects.filter(dossier=OuterRef("pk"), user=user)))
    if tab == Tab.PROCESSED:
        return current & Q(state__in=_PROCESSED_STATES)
    return current


@dataclass(frozen=True)
class ListFilters:
    """What the instructor asked for above the list; every value already validated."""

    tab: Tab = Tab.TO_PROCESS
    text: str = ""
    state: str = ""
    group_id: int | None = None
    label_id: int | None = None
    mine: bool = False  # only the dossiers assigned to the instructor
    filed_from: date | None = None  # filed on or after that day (Paris time)
    filed_to: date | None = None  # filed on or before that day
    oldest_first: bool = False


def dossiers_of_instructor_in(user: User, procedure: Procedure) -> QuerySet[Dossier]:
    """The filed dossiers of one procedure in the instructor's groups: the base of every list."""
    groups = InstructorMembership.objects.filter(user=user, group__procedure=procedure).values("group_id")
    return Dossier.objects.filter(procedure=procedure, group_id__in=groups).exclude(state=DossierState.DRAFT)


def _filtered(user: User, procedure: Procedure, filters: ListFilters) -> QuerySet[Dossier]:
    dossiers = dossiers_of_instructor_in(user, procedure).filter(_tab_filter(filters.tab, user))
    if filters.state:
        dossiers = dossiers.filter(state=filters.state)
    if filters.group_id is not None:
        dossiers = dossiers.filter(group_id=filters.group_id)
    if filters.label_id is not None:
        dossiers = dossiers.filter(labels__id=filters.label_id)
    if filters.mine:
        dossiers = dossiers.filter(assignee=user)
    # Bounds on the timestamp itself (not on its date): the index on it serves them.
    if filters.filed_from is not None:
        dossiers = dossiers.filter(submitted_at__gte=_day_start(filters.filed_from))
    if filters.filed_to is not None:
        dossiers = dossiers.filter(submitted_at__lt=_day_start(filters.filed_to + timedelta(days=1)))
    if filters.text:
        dossiers = dossiers.filter(_text_filter(filters.text))
    return dossiers


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _ordering(filters: ListFilters) -> tuple[str, str]:
    return ("submitted_at", "pk") if filters.oldest_first else ("-submitted_at", "-pk")


def _beyond(filters: ListFilters, at: datetime, pk: int) -> Q:
    """The dossiers that come after (at, pk) in the list's order."""
    if filters.oldest_first:
        return Q(submitted_at__gt=at) | Q(submitted_at=at, pk__gt=pk)
    return Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk)


def _text_filter(text: str) -> Q:
    """Numbers, the applicant's names and email, and the answers. (A simple match that works on both
    databases; PostgreSQL's full-text search comes with the search index.)"""
    found = Q()
    for word in text.split()[:8]:
        found &= (
            Q(number__icontains=word)
            | Q(identity__family_name__icontains=word)
            | Q(identity__given_name__icontains=word)
            | Q(identity__email__icontains=word)
            | Q(answers__icontains=word)
        )
    return found


def instructor_tab_counts(user: User, procedure: Procedure) -> dict[Tab, int]:
    """How many dossiers each tab holds (one query)."""
    base = dossiers_of_instructor_in(user, procedure)
    counts = base.aggregate(**{tab.name: Count("pk", filter=_tab_filter(tab, user)) for tab in Tab})
    return {tab: counts[tab.name] or 0 for tab in Tab}


@dataclass(frozen=True)
class DossierPage:
    dossiers: list[Dossier]
    next_cursor: str  # empty on the last page


def _cursor_parse(cursor: str) -> tuple[datetime, int] | None:
    try:
        at, pk = cursor.rsplit("_", 1)
        moment = datetime.fromisoformat(at)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), int(pk)
    except ValueError:
        return None


def instructor_dossier_page(user: User, procedure: Procedure, filters: ListFilters, *, after: str = "") -> DossierPage:
    """One page of a list, the latest filed first (or the oldest), continuing after `after` (keyset pagination:
    the cost of a page does not grow with its rank). A cursor that cannot be read starts over."""
    dossiers = (
        _filtered(user, procedure, filters)
        .select_related("group", "assignee")
        .prefetch_related("labels")
        .defer("answers", "annotations")
        .annotate(followed=Exists(DossierFollow.objects.filter(dossier=OuterRef("pk"), user=user)))
        .order_by(*_ordering(filters))
    )
    position = _cursor_parse(after) if after else None
    if position is not None:
        dossiers = dossiers.filter(_beyond(filters, *position))
    rows = list(dossiers[: PAGE_SIZE + 1])
    if len(rows) <= PAGE_SIZE:
        return DossierPage(rows, "")
    last = rows[PAGE_SIZE - 1]
    return DossierPage(rows[:PAGE_SIZE], f"{last.submitted_at.isoformat()}_{last.pk}")


def dossier_for_instructor(user: User, pk: int) -> Dossier:
    """A filed dossier of one of the instructor's groups; Dossier.DoesNotExist for any other."""
    return (
        dossiers_visible_to_instructor(user)
        .select_related("procedure", "procedure__organisation", "group", "applicant")
        .defer("procedure__draft_definition")
        .get(pk=pk)
    )


def dossier_followed_by(user: User, dossier: Dossier) -> bool:
    return DossierFollow.objects.filter(user=user, dossier=dossier).exists()


def procedure_labels(procedure: Procedure) -> QuerySet[Label]:
    return Label.objects.filter(procedure=procedure)


def dossier_group_instructors(dossier: Dossier) -> QuerySet[User]:
    """Who may be put in charge of the dossier: the active instructors of its group."""
    members = InstructorMembership.objects.filter(group_id=dossier.group_id).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("last_name", "first_name", "email")


def dossier_neighbours(
    user: User, procedure: Procedure, filters: ListFilters, dossier: Dossier
) -> tuple[int | None, int | None]:
    """The dossiers just before and just after this one in a list (the list's order: the latest
    filed first), for « précédent / suivant » on the dossier's page."""
    listed = _filtered(user, procedure, filters).exclude(pk=dossier.pk)
    at, pk = dossier.submitted_at, dossier.pk
    reverse = ListFilters(**{**dataclasses.asdict(filters), "oldest_first": not filters.oldest_first})
    before = listed.filter(_beyond(reverse, at, pk)).order_by(*_ordering(reverse))
    after = listed.filter(_beyond(filters, at, pk)).order_by(*_ordering(filters))
    return before.values_list("pk", flat=True).first(), after.values_list("pk", flat=True).first()


def instructor_dossiers_listed(user: User, procedure: Procedure, filters: ListFilters) -> QuerySet[Dossier]:
    """Every dossier of a list, in its order (what an export of the list holds)."""
    return _filtered(user, procedure, filters).order_by(*_ordering(filters))


def list_answer_columns(user: User, procedure: Procedure) -> list[str]:
    """The answer fields (ids) the instructor chose to add to this procedure's lists."""
    preference = ListPreference.objects.filter(user=user, procedure=procedure).first()
    return list(preference.answer_columns) if preference else []
