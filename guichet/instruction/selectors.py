"""The back office's lists: an instructor's procedures and groups, the dossiers of a list (its
filters, its keyset pages, the dossiers before and after one), the tabs' counts, and what an
instructor chose for them (columns, labels, followed dossiers)."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, connections, router
from django.db.models import (
    Count,
    Exists,
    F,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.utils import timezone

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierState
from guichet.procedures.models import InstructorGroup, InstructorMembership, Procedure, ProcedureVersion

from .lists import PAGE_SIZE, ListFilters, ListOrder, Tab, tab_filter
from .models import DossierFollow, ExpertInvitation, FollowUpStep, Label, ListPreference
from .search import groups_bigint, latest_searched_rows, searched_rows, text_filter


def procedures_of_instructor(user: User) -> QuerySet[Procedure]:
    """The procedures in which the person belongs to at least one instructor group, each with the
    id of its latest published version (`latest_version_id`, for its form)."""
    groups = InstructorMembership.objects.filter(user=user).values("group__procedure_id")
    latest = ProcedureVersion.objects.filter(procedure=OuterRef("pk")).order_by("-number").values("pk")[:1]
    return (
        Procedure.objects.filter(pk__in=groups)
        .defer("draft_definition")
        .annotate(latest_version_id=Subquery(latest))
        .order_by("title")
    )


def instructor_groups_in(user: User, procedure: Procedure) -> QuerySet[InstructorGroup]:
    return InstructorGroup.objects.filter(procedure=procedure, memberships__user=user).order_by("name")


def _instructor_group_ids(user: User, procedure: Procedure, known: list[int] | None) -> list[int]:
    """The ids of the instructor's groups in the procedure (`known` when the caller read them).
    The lists filter on them as values: with one group, PostgreSQL walks that group's index in the
    lists' order."""
    if known is not None:
        return known
    memberships = InstructorMembership.objects.filter(user=user, group__procedure=procedure)
    return sorted(memberships.values_list("group_id", flat=True))


def dossiers_of_instructor_in(
    user: User, procedure: Procedure, *, group_ids: list[int] | None = None
) -> QuerySet[Dossier]:
    """The filed dossiers of one procedure in the instructor's groups: the base of every list.
    `group_ids`: the instructor's groups in the procedure, when the caller read them already."""
    # Not filtered on the procedure as well: its groups imply it, and PostgreSQL, taking the two
    # conditions for independent, would expect a few rows where there are hundreds of thousands.
    group_ids = _instructor_group_ids(user, procedure, group_ids)
    return Dossier.objects.filter(groups_bigint(group_ids)).exclude(state=DossierState.DRAFT)


def _listed_group_ids(user: User, procedure: Procedure, filters: ListFilters, group_ids: list[int] | None) -> list[int]:
    """The groups whose dossiers the list shows: the instructor's, or the one asked for among them."""
    group_ids = _instructor_group_ids(user, procedure, group_ids)
    if filters.group_id is not None:
        group_ids = [pk for pk in group_ids if pk == filters.group_id]
    return group_ids


def _filtered(user: User, procedure: Procedure, filters: ListFilters, group_ids: list[int] | None) -> QuerySet[Dossier]:
    group_ids = _listed_group_ids(user, procedure, filters, group_ids)
    dossiers = dossiers_of_instructor_in(user, procedure, group_ids=group_ids).filter(tab_filter(filters.tab, user))
    if filters.state:
        dossiers = dossiers.filter(state=filters.state)
    if filters.answer is not None:
        dossiers = dossiers.filter(_answer_filter(*filters.answer))
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
        dossiers = dossiers.filter(text_filter(filters.text, group_ids))
    return dossiers


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# A list's position: the value of its order's column (None: no deadline) and the dossier's id.
Position = tuple[datetime | None, int]


def _ordering(order: ListOrder, *, backwards: bool = False) -> tuple[OrderBy, OrderBy]:
    """The list's order (`backwards`: the same, read from the end)."""
    if order == ListOrder.DEADLINE:
        ascending = not backwards
        column = F("due_at").asc(nulls_last=True) if ascending else F("due_at").desc(nulls_first=True)
        return column, (F("pk").asc() if ascending else F("pk").desc())
    ascending = (order == ListOrder.OLDEST) != backwards
    return (F("submitted_at").asc(), F("pk").asc()) if ascending else (F("submitted_at").desc(), F("pk").desc())


def _position(order: ListOrder, dossier: Dossier) -> Position:
    return (dossier.due_at if order == ListOrder.DEADLINE else dossier.submitted_at), dossier.pk


def _beyond(order: ListOrder, position: Position, *, backwards: bool = False) -> Q:
    """The dossiers that come after `position` in the list's order (`backwards`: before it)."""
    at, pk = position
    if order == ListOrder.DEADLINE:
        if not backwards:
            if at is None:
                return Q(due_at__isnull=True, pk__gt=pk)
            return Q(due_at__gt=at) | Q(due_at=at, pk__gt=pk) | Q(due_at__isnull=True)
        if at is None:
            return Q(due_at__isnull=False) | Q(due_at__isnull=True, pk__lt=pk)
        return Q(due_at__lt=at) | Q(due_at=at, pk__lt=pk)
    if (order == ListOrder.OLDEST) != backwards:
        return Q(submitted_at__gt=at) | Q(submitted_at=at, pk__gt=pk)
    return Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk)


def _answer_filter(field_id: str, value: Any) -> Q:
    """The dossiers whose answer to `field_id` is `value`. On PostgreSQL, a containment
    (`answers @> {"field": value}`) that the GIN index on the answers serves; elsewhere, the same
    through the JSON functions of the database."""
    if connection.vendor == "postgresql":
        return Q(answers__contains={field_id: value})
    return _answer_lookups(f"answers__{field_id}", value)


def _answer_lookups(path: str, value: Any) -> Q:
    if isinstance(value, dict):
        found = Q()
        for key, part in value.items():
            found &= _answer_lookups(f"{path}__{key}", part)
        return found
    if isinstance(value, list):
        found = Q()
        for item in value:  # the JSON text of the list holds each item
            found &= Q(**{f"{path}__icontains": json.dumps(item)})
        return found
    return Q(**{path: value})


def instructor_waiting_counts(user: User) -> dict[int, int]:
    """How many dossiers wait (« à traiter ») in each of the instructor's procedures, by procedure id.
    Counted by group, which the list's index holds (no table read), then added up by procedure."""
    procedure_of = dict(InstructorMembership.objects.filter(user=user).values_list("group_id", "group__procedure_id"))
    by_group = (
        Dossier.objects.filter(groups_bigint(list(procedure_of)))
        .filter(tab_filter(Tab.TO_PROCESS, user))
        .values("group_id")
        .annotate(count=Count("pk"))
        .values_list("group_id", "count")
    )
    waiting: dict[int, int] = {}
    for group_id, count in by_group:
        waiting[procedure_of[group_id]] = waiting.get(procedure_of[group_id], 0) + count
    return waiting


# The tabs count up to this many dossiers: beyond, « plus de 1 000 ». An exact count reads every
# row of the groups (half a second for 400,000 dossiers); a bounded one reads at most this many
# entries of an index, and 10,000 still took a fifth of the page's time (docs/decisions/0009).
COUNT_LIMIT = 1_000


def instructor_tab_counts(user: User, procedure: Procedure, *, group_ids: list[int] | None = None) -> dict[Tab, int]:
    """How many dossiers each tab holds, up to COUNT_LIMIT + 1 (meaning: more than COUNT_LIMIT),
    in one query."""
    base = dossiers_of_instructor_in(user, procedure, group_ids=group_ids)
    parts, params = [], []
    for tab in Tab:
        sql, tab_params = base.filter(tab_filter(tab, user)).values("pk")[: COUNT_LIMIT + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS tab_{tab.name.lower()})")  # noqa: S608
        params += tab_params
    # Where the ORM would read the dossiers (a replica within an instructor's list).
    with connections[router.db_for_read(Dossier)].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)  # noqa: S608 (the ORM's SQL, values as parameters)
        counts = cursor.fetchone()
    return dict(zip(Tab, counts, strict=True))


@dataclass(frozen=True)
class DossierPage:
    dossiers: list[Dossier]
    next_cursor: str  # empty on the last page


_NO_DATE = "aucune"


def _cursor(position: Position) -> str:
    at, pk = position
    return f"{at.isoformat() if at is not None else _NO_DATE}_{pk}"


def _cursor_parse(cursor: str) -> Position | None:
    try:
        at, pk = cursor.rsplit("_", 1)
        if at == _NO_DATE:
            return None, int(pk)
        moment = datetime.fromisoformat(at)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), int(pk)
    except ValueError:
        return None


def instructor_dossier_page(
    user: User,
    procedure: Procedure,
    filters: ListFilters,
    *,
    after: str = "",
    group_ids: list[int] | None = None,
    with_labels: bool = True,
) -> DossierPage:
    """One page of a list, the latest filed first (or the oldest), continuing after `after` (keyset pagination:
    the cost of a page does not grow with its rank). A cursor that cannot be read starts over.
    Each dossier's labels are in `label_list` (not read when the caller knows the procedure has none)."""
    dossiers = (
        _filtered(user, procedure, filters, group_ids)
        .select_related("group", "assignee")
        # What a list shows: reading and decoding the other columns was half of the list's time.
        .only(
            "number",
            "state",
            "identity",
            "submitted_at",
            "due_at",
            "group__name",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__email",
        )
        .annotate(followed=Exists(DossierFollow.objects.filter(dossier=OuterRef("pk"), user=user)))
        .order_by(*_ordering(filters.order))
    )
    position = _cursor_parse(after) if after else None
    if position is not None and (position[0] is not None or filters.order == ListOrder.DEADLINE):
        dossiers = dossiers.filter(_beyond(filters.order, position))
    if filters.text and filters.order == ListOrder.RECENT and connection.vendor == "postgresql":
        listed_groups = _listed_group_ids(user, procedure, filters, group_ids)
        rows = latest_searched_rows(dossiers, listed_groups, before=position[0] if position else None)
    elif (filters.text or filters.answer) and connection.vendor == "postgresql":
        rows = searched_rows(dossiers, in_order_first=not filters.text)
    else:
        rows = list(dossiers[: PAGE_SIZE + 1])
    if with_labels:
        # In a list rather than through `dossier.labels`, whose manager costs more to make than the query.
        prefetch_related_objects(rows[:PAGE_SIZE], Prefetch("labels", to_attr="label_list"))
    else:
        for dossier in rows:
            dossier.label_list = []
    if len(rows) <= PAGE_SIZE:
        return DossierPage(rows, "")
    return DossierPage(rows[:PAGE_SIZE], _cursor(_position(filters.order, rows[PAGE_SIZE - 1])))


def dossier_followed_by(user: User, dossier: Dossier) -> bool:
    return DossierFollow.objects.filter(user=user, dossier=dossier).exists()


def procedure_labels(procedure: Procedure) -> QuerySet[Label]:
    return Label.objects.filter(procedure=procedure)


def dossier_neighbours(
    user: User, procedure: Procedure, filters: ListFilters, dossier: Dossier
) -> tuple[int | None, int | None]:
    """The dossiers just before and just after this one in a list (the list's order: the latest
    filed first), for « précédent / suivant » on the dossier's page."""
    listed = _filtered(user, procedure, filters, None).exclude(pk=dossier.pk)
    position, order = _position(filters.order, dossier), filters.order
    before = listed.filter(_beyond(order, position, backwards=True)).order_by(*_ordering(order, backwards=True))
    after = listed.filter(_beyond(order, position)).order_by(*_ordering(order))
    return before.values_list("pk", flat=True).first(), after.values_list("pk", flat=True).first()


def instructor_dossiers_listed(user: User, procedure: Procedure, filters: ListFilters) -> QuerySet[Dossier]:
    """Every dossier of a list, in its order (what an export of the list holds)."""
    return _filtered(user, procedure, filters, None).order_by(*_ordering(filters.order))


def dossiers_listed_in_groups(procedure: Procedure, group_ids: list[int], filters: ListFilters) -> QuerySet[Dossier]:
    """Every filed dossier of these groups of the procedure (put aside or not) that the filters keep
    (their state, group, label and filing days), the latest filed first: what an export asked
    through the API holds, for software that has no tabs, no followed dossiers and no groups of its own."""
    own = set(InstructorGroup.objects.filter(procedure=procedure, pk__in=group_ids).values_list("pk", flat=True))
    if filters.group_id is not None:
        own &= {filters.group_id}
    dossiers = Dossier.objects.filter(groups_bigint(sorted(own))).exclude(state=DossierState.DRAFT)
    if filters.state:
        dossiers = dossiers.filter(state=filters.state)
    if filters.label_id is not None:
        dossiers = dossiers.filter(labels__id=filters.label_id)
    if filters.filed_from is not None:
        dossiers = dossiers.filter(submitted_at__gte=_day_start(filters.filed_from))
    if filters.filed_to is not None:
        dossiers = dossiers.filter(submitted_at__lt=_day_start(filters.filed_to + timedelta(days=1)))
    return dossiers.order_by(*_ordering(ListOrder.RECENT))


def list_answer_columns(user: User, procedure: Procedure) -> list[str]:
    """The answer fields (ids) the instructor chose to add to this procedure's lists."""
    preference = ListPreference.objects.filter(user=user, procedure=procedure).first()
    return list(preference.answer_columns) if preference else []


def expert_role_add(*, user, roles: set[str]) -> None:
    """Listener of `accounts.hooks.agent_roles_collect`: someone asked for an opinion (an invitation
    not revoked) is an expert."""
    if ExpertInvitation.objects.filter(expert=user, revoked_at__isnull=True).exists():
        roles.add("expert")


def fee_invoice_problems(dossier: Dossier) -> list[str]:
    """Why the fee charged to a company could not be invoiced (or its invoice cancelled) by the
    follow-up chain, in French, for the dossier's instructors: the step given up, or failing and
    to be tried again. The screen checks first that the instructor sees the dossier."""
    return list(
        FollowUpStep.objects.filter(
            transition__dossier=dossier,
            name__in=(FollowUpStep.Name.ISSUE_INVOICE, FollowUpStep.Name.CANCEL_INVOICE),
        )
        .exclude(last_error="")
        .exclude(status__in=(FollowUpStep.Status.DONE, FollowUpStep.Status.SKIPPED))
        .order_by("transition__at", "pk")
        .values_list("last_error", flat=True)
    )
