import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import OperationalError, connection, models, transaction
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
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThanOrEqual, In
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import User
from guichet.documents.models import Act
from guichet.documents.selectors import acts_of_dossier
from guichet.dossiers.models import Dossier, DossierState, FilingDay
from guichet.dossiers.search import full_text_search_available, search_query
from guichet.procedures.models import InstructorGroup, InstructorMembership, Procedure, ProcedureVersion

from .models import DossierFollow, ExpertInvitation, Label, ListPreference


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


class ListOrder(models.TextChoices):
    """The orders of a list (the values are those of the list's URL)."""

    RECENT = "", "Les plus récents d’abord"
    OLDEST = "anciens", "Les plus anciens d’abord"
    # Nearest deadline first; the dossiers on which no deadline runs (decided, waiting for
    # corrections) come last, the latest filed first among them.
    DEADLINE = "echeance", "Échéance la plus proche d’abord"


@dataclass(frozen=True)
class ListFilters:
    """What the instructor asked for above the list; every value already validated."""

    tab: Tab = Tab.TO_PROCESS
    text: str = ""
    state: str = ""
    group_id: int | None = None
    # One answer: (field id, value as the answers store it); a list for a multiple choice holds the
    # options that the answer must include, a dict for an address the parts it must have.
    answer: tuple[str, Any] | None = None
    label_id: int | None = None
    mine: bool = False  # only the dossiers assigned to the instructor
    filed_from: date | None = None  # filed on or after that day (Paris time)
    filed_to: date | None = None  # filed on or before that day
    order: ListOrder = ListOrder.RECENT


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
    return Dossier.objects.filter(_groups_bigint(group_ids)).exclude(state=DossierState.DRAFT)


def _listed_group_ids(user: User, procedure: Procedure, filters: ListFilters, group_ids: list[int] | None) -> list[int]:
    """The groups whose dossiers the list shows: the instructor's, or the one asked for among them."""
    group_ids = _instructor_group_ids(user, procedure, group_ids)
    if filters.group_id is not None:
        group_ids = [pk for pk in group_ids if pk == filters.group_id]
    return group_ids


def _filtered(user: User, procedure: Procedure, filters: ListFilters, group_ids: list[int] | None) -> QuerySet[Dossier]:
    group_ids = _listed_group_ids(user, procedure, filters, group_ids)
    dossiers = dossiers_of_instructor_in(user, procedure, group_ids=group_ids).filter(_tab_filter(filters.tab, user))
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
        dossiers = dossiers.filter(_text_filter(filters.text, group_ids))
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


def _groups_bigint(group_ids: list[int]) -> In:
    """`group_id IN (…)` with the ids as `bigint`: psycopg sends a small integer as `smallint`,
    and the GIN indexes' `bigint` column (btree_gin) has no operator across the two types."""
    return In(F("group_id"), [Cast(Value(pk), models.BigIntegerField()) for pk in group_ids])


def _text_filter(text: str, group_ids: list[int]) -> Q:
    """Numbers, the applicant's names and email, and the answers. On PostgreSQL, the full-text
    search (dossiers/search.py: 'french' configuration, accents ignored, words as typed in a web
    search engine) or the exact number; elsewhere, each word found in one of the columns."""
    if full_text_search_available():
        # The groups inside the search's branch: the index on (group, search vector) then finds
        # the groups' dossiers that have the words, instead of all those that have them.
        return (Q(_groups_bigint(group_ids)) & Q(search_vector=search_query(text))) | Q(number=text.strip())
    found = Q()
    for word in text.split()[:8]:
        found &= (
            Q(number__icontains=word)
            | Q(identity__family_name__icontains=word)
            | Q(identity__given_name__icontains=word)
            | Q(identity__email__icontains=word)
            | Q(answers__icontains=word)
            # The answers' JSON text writes other letters than ASCII as \u escapes.
            | Q(answers__icontains=json.dumps(word)[1:-1])
        )
    return found


def instructor_waiting_counts(user: User) -> dict[int, int]:
    """How many dossiers wait (« à traiter ») in each of the instructor's procedures, by procedure id.
    Counted by group, which the list's index holds (no table read), then added up by procedure."""
    procedure_of = dict(InstructorMembership.objects.filter(user=user).values_list("group_id", "group__procedure_id"))
    by_group = (
        Dossier.objects.filter(_groups_bigint(list(procedure_of)))
        .filter(_tab_filter(Tab.TO_PROCESS, user))
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
        sql, tab_params = base.filter(_tab_filter(tab, user)).values("pk")[: COUNT_LIMIT + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS tab_{tab.name.lower()})")  # noqa: S608
        params += tab_params
    with connection.cursor() as cursor:
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
        rows = _latest_searched_rows(dossiers, listed_groups, before=position[0] if position else None)
    elif (filters.text or filters.answer) and connection.vendor == "postgresql":
        rows = _searched_rows(dossiers, in_order_first=not filters.text)
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


# How long PostgreSQL may take over a searched list with the plan it chose, before the list is
# asked again with the GIN indexes only: well above what a right plan takes (10 to 50 ms at a
# million dossiers), well below what the wrong one does.
SEARCH_BUDGET_MS = 250


# How long a list filtered on an answer may walk the list's own index, in its order, checking
# each dossier's answer, before the GIN index is asked instead (see _searched_rows).
IN_ORDER_BUDGET_MS = 40


# The periods a searched list, the latest filed first, looks in before the whole list, counted back
# from its latest dossier. The page shows the latest matches, yet the whole list's were each read
# from the table to be sorted: 3,000 for a name and first name that many applicants share, 25 ms
# when the rows are not in PostgreSQL's cache. The search's indexes end with the filing day, so a
# period costs its own matches only; past a month, the days' entries cost more than they save.
SEARCH_PERIODS = (timedelta(days=7), timedelta(days=30))


def _latest_searched_rows(
    dossiers: QuerySet[Dossier], group_ids: list[int], *, before: datetime | None
) -> list[Dossier]:
    """One page (and one more row) of a searched list, the latest filed first, on PostgreSQL.

    When PostgreSQL expects many matches, it walks the list's index in its order and checks each
    dossier: the first page costs its own rows (« Laurent »: 0.5 ms), and its plan is kept
    (_searched_rows), as when it expects less than a page. In between, it would read every match
    to sort them (it expected 669 for « Laurent Nadia », 3,092 were read); the matches of the last
    SEARCH_PERIODS are then asked first, through the search's index, which ends with the filing
    day. A period's query holds only the dossiers filed on or after its first day; when that
    is more than a page, they are the list's first page, since every dossier left out was filed
    before each of them. Otherwise the next period is asked if, at the rate of the one just read,
    it would fill the page; if not, the whole list. The periods end at `before` (the cursor of the
    next pages) or at the groups' latest filing, so that a procedure closed for months is searched
    alike."""
    scan, expected = _planned_scan(dossiers)
    if scan in {"Index Scan", "Index Only Scan"} or expected < PAGE_SIZE:
        return _searched_rows(dossiers)
    until = before or _latest_filing(group_ids)
    if until is None:
        return []
    found, previous = 0, None
    for period in SEARCH_PERIODS:
        if previous is not None and found * (period / previous) <= PAGE_SIZE:
            break
        since = (until - period).astimezone(UTC).date()
        # Bitmaps only: the day is in the search's index alone, and the list's index read over the
        # period (its dossiers in order, or all of them to sort) reads every dossier of it.
        rows = _gin_rows(dossiers.filter(GreaterThanOrEqual(FilingDay("submitted_at"), since)))
        if len(rows) > PAGE_SIZE:
            return rows
        found, previous = len(rows), period
    return _searched_rows(dossiers)


def _planned_scan(dossiers: QuerySet[Dossier]) -> tuple[str, float]:
    """How PostgreSQL's plan for the page reads the dossiers (« Index Scan »: through a list's
    index in the list's order; « Bitmap Heap Scan »: every match, to sort them), and how many
    matches it expects."""
    plans = [json.loads(dossiers[: PAGE_SIZE + 1].explain(format="json"))[0]["Plan"]]
    while plans:
        plan = plans.pop()
        if plan.get("Relation Name") == Dossier._meta.db_table:
            return plan["Node Type"], plan["Plan Rows"]
        plans += plan.get("Plans", [])
    return "", 0


def _latest_filing(group_ids: list[int]) -> datetime | None:
    """When the latest dossier of these groups was filed: one entry of the list's index each."""
    latest = (
        Dossier.objects.filter(group_id=OuterRef("pk"), submitted_at__isnull=False)
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    moments = InstructorGroup.objects.filter(pk__in=group_ids).order_by().annotate(latest=Subquery(latest))
    return max((moment for moment in moments.values_list("latest", flat=True) if moment), default=None)


def _searched_rows(dossiers: QuerySet[Dossier], *, in_order_first: bool = False) -> list[Dossier]:
    """One page (and one more row) of a list searched or filtered on an answer, on PostgreSQL.

    The planner cannot tell how often words occur in *these groups*: its statistics are the
    table's. For a word frequent in other procedures, it expects the list's first page among the
    latest dossiers and walks the list's index in date order; when the word is absent from these
    groups, the walk reads every row of them (a second at 400,000 dossiers, ten when they are not
    in memory). So the plan it chose gets SEARCH_BUDGET_MS; past that, the GIN index, led by the
    group, finds the few matches of these groups and they are sorted.

    `in_order_first` (a list filtered on an answer, without words): PostgreSQL has no statistics
    on the answers' values and expects few matches, so it chooses the GIN index, reads every
    match of the groups and sorts them: 40 ms for an answer that a third of the dossiers give, at a
    million. Walking the list's index in its order and checking each dossier finds the first page
    of a common answer in 1 to 3 ms; for a rare one, the walk stops at IN_ORDER_BUDGET_MS and the
    GIN index finds the few matches."""
    if in_order_first:
        rows = _rows_within(dossiers, IN_ORDER_BUDGET_MS, "enable_bitmapscan = off")
    else:
        rows = _rows_within(dossiers, SEARCH_BUDGET_MS)
    return rows if rows is not None else _gin_rows(dossiers)


def _rows_within(dossiers: QuerySet[Dossier], budget_ms: int, *settings: str) -> list[Dossier] | None:
    """The page (and one more row) with these planner settings, or None when PostgreSQL took
    longer than `budget_ms` and cancelled it."""
    try:
        with _planner(f"statement_timeout = {budget_ms}", *settings):
            return list(dossiers[: PAGE_SIZE + 1])
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != "57014":  # query_canceled
            raise
    return None


def _gin_rows(dossiers: QuerySet[Dossier]) -> list[Dossier]:
    with _planner("enable_seqscan = off", "enable_indexscan = off", "enable_indexonlyscan = off"):
        return list(dossiers[: PAGE_SIZE + 1])


@contextmanager
def _planner(*settings: str) -> Iterator[None]:
    """PostgreSQL settings for the statements of the block, in a transaction (or a savepoint)."""
    inside_a_transaction = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting}")
        yield
        # Inside a caller's transaction, a savepoint would keep them; a transaction of its own
        # ends them (a searched list asks up to three times: a round trip each saved).
        if inside_a_transaction:
            for setting in settings:
                cursor.execute(f"RESET {setting.split(' =')[0]}")


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
    listed = _filtered(user, procedure, filters, None).exclude(pk=dossier.pk)
    position, order = _position(filters.order, dossier), filters.order
    before = listed.filter(_beyond(order, position, backwards=True)).order_by(*_ordering(order, backwards=True))
    after = listed.filter(_beyond(order, position)).order_by(*_ordering(order))
    return before.values_list("pk", flat=True).first(), after.values_list("pk", flat=True).first()


def instructor_dossiers_listed(user: User, procedure: Procedure, filters: ListFilters) -> QuerySet[Dossier]:
    """Every dossier of a list, in its order (what an export of the list holds)."""
    return _filtered(user, procedure, filters, None).order_by(*_ordering(filters.order))


def list_answer_columns(user: User, procedure: Procedure) -> list[str]:
    """The answer fields (ids) the instructor chose to add to this procedure's lists."""
    preference = ListPreference.objects.filter(user=user, procedure=procedure).first()
    return list(preference.answer_columns) if preference else []


def act_of_instructor(user: User, *, dossier_pk: int, act_pk: int) -> Act:
    """An act of a dossier of the instructor's groups; Act.DoesNotExist for any other."""
    try:
        dossier = dossier_for_instructor(user, dossier_pk)
    except Dossier.DoesNotExist:
        raise Act.DoesNotExist from None
    act = acts_of_dossier(dossier, issued_only=False).get(pk=act_pk)
    act.dossier = dossier
    return act
