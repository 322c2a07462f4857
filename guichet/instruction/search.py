"""Searching a list: the words' condition (full-text on PostgreSQL), and how PostgreSQL is asked
for a page of a searched list (or of one filtered on an answer) so that it does not choose a plan
that reads every row of the groups."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.db import OperationalError, connections, models, router, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThanOrEqual, In

from guichet.dossiers.models import Dossier, FilingDay
from guichet.dossiers.search import full_text_search_available, search_query
from guichet.procedures.models import InstructorGroup

from .lists import PAGE_SIZE


def groups_bigint(group_ids: list[int]) -> In:
    """`group_id IN (…)` with the ids as `bigint`: psycopg sends a small integer as `smallint`,
    and the GIN indexes' `bigint` column (btree_gin) has no operator across the two types."""
    return In(F("group_id"), [Cast(Value(pk), models.BigIntegerField()) for pk in group_ids])


def text_filter(text: str, group_ids: list[int]) -> Q:
    """Numbers, the applicant's names and email, and the answers. On PostgreSQL, the full-text
    search (dossiers/search.py: 'french' configuration, accents ignored, words as typed in a web
    search engine) or the exact number; elsewhere, each word found in one of the columns."""
    if full_text_search_available():
        # The groups inside the search's branch: the index on (group, search vector) then finds
        # the groups' dossiers that have the words, instead of all those that have them.
        return (Q(groups_bigint(group_ids)) & Q(search_vector=search_query(text))) | Q(number=text.strip())
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


# How long PostgreSQL may take over a searched list with the plan it chose, before the list is
# asked again with the GIN indexes only: well above what a right plan takes (10 to 50 ms at a
# million dossiers), well below what the wrong one does.
SEARCH_BUDGET_MS = 250


# How long a list filtered on an answer may walk the list's own index, in its order, checking
# each dossier's answer, before the GIN index is asked instead (see searched_rows).
IN_ORDER_BUDGET_MS = 40


# The periods a searched list, the latest filed first, looks in before the whole list, counted back
# from its latest dossier. The page shows the latest matches, yet the whole list's were each read
# from the table to be sorted: 3,000 for a name and first name that many applicants share, 25 ms
# when the rows are not in PostgreSQL's cache. The search's indexes end with the filing day, so a
# period costs its own matches only; past a month, the days' entries cost more than they save.
SEARCH_PERIODS = (timedelta(days=7), timedelta(days=30))


def latest_searched_rows(
    dossiers: QuerySet[Dossier], group_ids: list[int], *, before: datetime | None
) -> list[Dossier]:
    """One page (and one more row) of a searched list, the latest filed first, on PostgreSQL.

    When PostgreSQL expects many matches, it walks the list's index in its order and checks each
    dossier: the first page costs its own rows (« Laurent »: 0.5 ms), and its plan is kept
    (searched_rows), as when it expects less than a page. In between, it would read every match
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
        return searched_rows(dossiers)
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
    return searched_rows(dossiers)


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


def searched_rows(dossiers: QuerySet[Dossier], *, in_order_first: bool = False) -> list[Dossier]:
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
    """PostgreSQL settings for the statements of the block, in a transaction (or a savepoint), on
    the database the dossiers are read from (a read replica for an instructor's list)."""
    alias = router.db_for_read(Dossier)
    connection = connections[alias]
    inside_a_transaction = connection.in_atomic_block
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting}")
        yield
        # Inside a caller's transaction, a savepoint would keep them; a transaction of its own
        # ends them (a searched list asks up to three times: a round trip each saved).
        if inside_a_transaction:
            for setting in settings:
                cursor.execute(f"RESET {setting.split(' =')[0]}")
