"""The aggregation: read the dossiers, their decisions and the applicants' opinions once, and fill
the observatory's summary tables (ProcedureQuality, ProcedureMonth) and the barometer's computed
values, so that the public pages read a few hundred rows whatever the number of dossiers.

Run daily and on demand by the worker (tasks.py), or by `manage.py observatory_aggregate`.
Idempotent: a second run over the same data writes the same figures."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, connections, router, transaction
from django.db.models import Avg, Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from guichet.accounts import franceconnect
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.replicas import replica_reads
from guichet.dossiers.models import Dossier, DossierState, Opinion
from guichet.procedures.field_sources import SourcesUse, form_sources_use
from guichet.procedures.models import Procedure, ProcedureVersion
from guichet.procedures.selectors import version_form

from . import indicators as ind
from . import selectors
from .models import (
    ChannelVolume,
    Computation,
    Indicator,
    IndicatorValue,
    ProcedureMonth,
    ProcedureQuality,
    ProgrammeEntry,
)
from .probes import probe_figures
from .programme_link import programme_entry_link

# The monthly history recomputed by each run: the current month and the twelve before it, so that
# late decisions and recorded volumes land in their month; older months stay as computed.
HISTORY_MONTHS = 13
# Opinions, volumes and the online share are those of the current month and the 11 before it.
WINDOW_MONTHS = 12
PROCESSING_DAYS = 30


@dataclass
class AggregationReport:
    entries: int = 0
    edition: str = ""
    linked: int = 0
    months: int = 0
    indicator_values: int = 0


def months_back(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months before `month` (itself a first day)."""
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_of(moment: datetime.datetime) -> datetime.date:
    """The month (its first day) of a moment, in the platform's time zone."""
    return timezone.localtime(moment).date().replace(day=1)


def _month_start(month: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))


@dataclass(frozen=True)
class Times:
    """How many decisions, and the median and 90th percentile of their processing time in days."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, days: list[float]) -> "Times":
        days = sorted(days)
        return cls(len(days), ind.percentile(days, 0.5), ind.percentile(days, 0.9))


NO_TIMES = Times(0, None, None)
TimesByMonth = dict[tuple[int, datetime.date], Times]


def processing_times(
    *, since: datetime.datetime, recent_since: datetime.datetime, until: datetime.datetime
) -> tuple[TimesByMonth, dict[int, Times]]:
    """The processing times (submission to decision) of the decisions taken from `since`, per
    procedure and month of decision, and of those taken from `recent_since`, per procedure.
    PostgreSQL computes the percentiles itself (percentile_cont); other databases send the pairs
    of dates, and Python interpolates the same way (indicators.percentile)."""
    if connection.vendor == "postgresql":
        return _processing_times_sql(since=since, recent_since=recent_since, until=until)
    by_month: dict[tuple[int, datetime.date], list[float]] = defaultdict(list)
    recent: dict[int, list[float]] = defaultdict(list)
    decisions = (
        Dossier.objects.filter(
            state__in=DossierState.decided(),
            decided_at__gte=min(since, recent_since),
            decided_at__lte=until,
            submitted_at__isnull=False,
        )
        .values_list("procedure_id", "submitted_at", "decided_at")
        .order_by()
    )
    for procedure_id, submitted_at, decided_at in decisions.iterator(chunk_size=5000):
        days = max(0.0, (decided_at - submitted_at).total_seconds() / 86_400)
        if decided_at >= since:
            by_month[(procedure_id, month_of(decided_at))].append(days)
        if decided_at >= recent_since:
            recent[procedure_id].append(days)
    return (
        {key: Times.of(days) for key, days in by_month.items()},
        {key: Times.of(days) for key, days in recent.items()},
    )


_DAYS = "GREATEST(0, EXTRACT(EPOCH FROM (decided_at - submitted_at)) / 86400.0)::double precision"
_TIMES = (
    f"count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY {_DAYS}), "
    f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {_DAYS})"
)
_DECIDED = "state = ANY(%s) AND submitted_at IS NOT NULL AND decided_at >= %s AND decided_at <= %s"


def _processing_times_sql(
    *, since: datetime.datetime, recent_since: datetime.datetime, until: datetime.datetime
) -> tuple[TimesByMonth, dict[int, Times]]:
    table = Dossier._meta.db_table
    states = [str(state) for state in DossierState.decided()]
    zone = timezone.get_current_timezone_name()
    with connections[router.db_for_read(Dossier)].cursor() as cursor:
        cursor.execute(
            f"SELECT procedure_id, (date_trunc('month', decided_at AT TIME ZONE %s))::date, {_TIMES} "  # noqa: S608 (constants)
            f"FROM {table} WHERE {_DECIDED} GROUP BY 1, 2",
            [zone, states, since, until],
        )
        by_month = {(row[0], row[1]): Times(row[2], row[3], row[4]) for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT procedure_id, {_TIMES} FROM {table} WHERE {_DECIDED} GROUP BY 1",  # noqa: S608 (constants)
            [states, recent_since, until],
        )
        recent = {row[0]: Times(row[1], row[2], row[3]) for row in cursor.fetchall()}
    return by_month, recent


def _sources_use(entries: list[ProgrammeEntry]) -> dict[int, SourcesUse]:
    """How each procedure's latest published form uses the data sources (« Dites-le-nous une fois »)."""
    latest = dict(
        ProcedureVersion.objects.filter(procedure__in=[entry.procedure_id for entry in entries])
        .values("procedure_id")
        .annotate(last=Max("pk"))
        .values_list("procedure_id", "last")
        .order_by()
    )
    return {procedure_id: form_sources_use(version_form(version_id)) for procedure_id, version_id in latest.items()}


def _link_published() -> int:
    """Give every procedure ever published its programme entry (those published before the
    observatory existed; publication links the others at once)."""
    missing = Procedure.objects.exclude(status=Procedure.Status.DRAFT).filter(programme_entry__isnull=True)
    linked = 0
    for procedure in missing:
        programme_entry_link(actor=None, procedure=procedure)
        linked += 1
    return linked


def observatory_aggregate(*, now: datetime.datetime | None = None, history_months: int = HISTORY_MONTHS):
    """Compute every procedure's indicators and monthly figures, then the barometer's computed
    values. Returns what was written. The dossiers are read from a read replica when one is in step
    (the figures tolerate a short delay); what is written, and read within its transaction, is the
    primary's, as are the programme's entries: those linked in this round are not on a replica yet,
    and a figure written for an entry that a replica still shows but the primary lost would fail."""
    linked = _link_published()
    entries = list(ProgrammeEntry.objects.filter(procedure__isnull=False).select_related("procedure"))
    with replica_reads():
        return _aggregated(now=now, history_months=history_months, linked=linked, entries=entries)


def _aggregated(
    *, now: datetime.datetime | None, history_months: int, linked: int, entries: list[ProgrammeEntry]
) -> AggregationReport:
    now = now or timezone.now()
    edition = ind.edition_of(timezone.localdate(now))
    current_month = timezone.localdate(now).replace(day=1)
    history_start_month = months_back(current_month, history_months - 1)
    window_start_month = months_back(current_month, WINDOW_MONTHS - 1)
    history_start, window_start = _month_start(history_start_month), _month_start(window_start_month)
    processing_since = now - datetime.timedelta(days=PROCESSING_DAYS)

    report = AggregationReport(linked=linked, edition=edition)
    entry_of = {entry.procedure_id: entry for entry in entries}
    measured = probe_figures([entry.pk for entry in entries], now=now)

    # Dossiers filed, per month and over the window (grouped by the database).
    submitted: dict[tuple[int, datetime.date], int] = defaultdict(int)
    monthly = (
        Dossier.objects.filter(submitted_at__gte=history_start, submitted_at__lte=now)
        .annotate(month=TruncMonth("submitted_at"))
        .values("procedure_id", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in monthly:
        submitted[(row["procedure_id"], month_of(row["month"]))] += row["count"]
    online_window: dict[int, int] = defaultdict(int)
    for (procedure_id, month), count in submitted.items():
        if month >= window_start_month:
            online_window[procedure_id] += count

    # Time from submission to decision, per month of decision and over the last 30 days.
    durations, recent = processing_times(since=history_start, recent_since=processing_since, until=now)

    # The applicants' opinions, per month and over the window.
    opinions_monthly = {
        (row["procedure_id"], month_of(row["month"])): row
        for row in Opinion.objects.filter(created_at__gte=history_start, created_at__lte=now)
        .annotate(month=TruncMonth("created_at"))
        .values("procedure_id", "month")
        .annotate(n_count=Count("pk"), avg_overall=Avg("overall"))
        .order_by()
    }
    help_asked = Q(help_needed=True)
    opinions_window = {
        row["procedure_id"]: row
        for row in Opinion.objects.filter(created_at__gte=window_start, created_at__lte=now)
        .values("procedure_id")
        .annotate(
            # Named apart from the fields: an annotation named like a field hides it from the filters.
            n_count=Count("pk"),
            avg_overall=Avg("overall"),
            n_clarity=Count("pk", filter=Q(clarity__isnull=False)),
            avg_clarity=Avg("clarity"),
            n_help_answered=Count("pk", filter=Q(help_needed__isnull=False)),
            n_help_needed=Count("pk", filter=help_asked),
            n_reached_known=Count("pk", filter=help_asked & Q(help_reached__isnull=False)),
            n_reached=Count("pk", filter=help_asked & Q(help_reached=True)),
            avg_help_quality=Avg("help_quality", filter=help_asked),
        )
        .order_by()
    }
    other_channels = dict(
        ChannelVolume.objects.filter(month__gte=window_start_month, month__lte=current_month)
        .values("entry_id")
        .annotate(total=Sum("count"))
        .values_list("entry_id", "total")
        .order_by()
    )
    offers_franceconnect = franceconnect.is_configured()
    sources_use = _sources_use(entries)

    # A procedure's months start at its publication, or earlier when dossiers came before it
    # (imported from the system it replaces).
    first_month: dict[int, datetime.date] = {}
    for procedure_id, month in [*submitted, *durations, *opinions_monthly]:
        first_month[procedure_id] = min(month, first_month.get(procedure_id, month))

    qualities, months = [], []
    for procedure_id, entry in entry_of.items():
        opinions = opinions_window.get(procedure_id, {})
        online = online_window.get(procedure_id, 0)
        other = other_channels.get(entry.pk, 0) or 0
        recent_times = recent.get(procedure_id, NO_TIMES)
        qualities.append(
            ProcedureQuality(
                entry=entry,
                edition=edition,
                computed_at=now,
                online_status=entry.online_status,
                rgaa_rate=entry.rgaa_rate,
                dlnuf_count=sources_use[procedure_id].held_asked if procedure_id in sources_use else None,
                sourced_share_pct=sources_use[procedure_id].sourced_share_pct if procedure_id in sources_use else None,
                declared_yearly_volume=entry.yearly_volume,
                opinions_count=opinions.get("n_count", 0),
                satisfaction=ind.rounded(opinions.get("avg_overall")),
                clarity_count=opinions.get("n_clarity", 0),
                clarity=ind.rounded(ind.score_from_five(opinions.get("avg_clarity"))),
                help_needed_count=opinions.get("n_help_needed", 0),
                help_used_pct=ind.rounded(
                    ind.share(opinions.get("n_help_needed", 0), opinions.get("n_help_answered", 0))
                ),
                help_reachable_pct=ind.rounded(
                    ind.share(opinions.get("n_reached", 0), opinions.get("n_reached_known", 0))
                ),
                help_efficiency=ind.rounded(ind.score_from_five(opinions.get("avg_help_quality"))),
                franceconnect=offers_franceconnect,
                online_12_months=online,
                other_channels_12_months=other,
                online_share_pct=ind.rounded(ind.share(online, online + other)),
                decisions_30_days=recent_times.count,
                processing_median_days=ind.rounded(recent_times.median),
                processing_p90_days=ind.rounded(recent_times.p90),
                uptime_pct=measured[entry.pk].uptime_pct if entry.pk in measured else None,
                load_seconds=measured[entry.pk].load_seconds if entry.pk in measured else None,
            )
        )
        published = entry.procedure.published_at or entry.procedure.created_at
        month = max(history_start_month, min(month_of(published), first_month.get(procedure_id, current_month)))
        while month <= current_month:
            times = durations.get((procedure_id, month), NO_TIMES)
            opinion_month = opinions_monthly.get((procedure_id, month), {})
            months.append(
                ProcedureMonth(
                    entry=entry,
                    month=month,
                    submitted_count=submitted.get((procedure_id, month), 0),
                    decided_count=times.count,
                    processing_median_days=ind.rounded(times.median),
                    processing_p90_days=ind.rounded(times.p90),
                    opinions_count=opinion_month.get("n_count", 0),
                    satisfaction=ind.rounded(opinion_month.get("avg_overall")),
                )
            )
            month = months_back(month, -1)

    with transaction.atomic():
        # The current quarter's edition is rewritten; the past quarters' stay as they were.
        ProcedureQuality.objects.filter(edition=edition).delete()
        ProcedureQuality.objects.bulk_create(qualities, batch_size=500)
        ProcedureMonth.objects.filter(month__gte=history_start_month).delete()
        ProcedureMonth.objects.bulk_create(months, batch_size=1000)
        report.entries, report.months = len(qualities), len(months)
        report.indicator_values = _computed_indicators(current_month)
        audit_record(
            actor=None,
            action=AuditAction.OBSERVATORY_AGGREGATE,
            details={
                "edition": edition,
                "entries": report.entries,
                "linked": report.linked,
                "months": report.months,
                "indicator_values": report.indicator_values,
            },
        )
    return report


def _computed_indicators(month: datetime.date) -> int:
    """The barometer's values that Guichet computes, dated the first day of the current month
    (each run of the month updates that month's value)."""
    written = 0
    computed = Indicator.objects.exclude(computation=Computation.ENTERED)
    if not computed.exists():
        return 0
    entries = list(selectors.entries_with_quality())
    by_pk = {entry.pk: entry for entry in entries}
    for indicator in computed:
        if indicator.computation == Computation.PROCEDURE_ONLINE_SHARE:
            entry = by_pk.get(indicator.entry_id)
            quality = selectors.entry_quality(entry) if entry is not None else None
            value = quality.online_share_pct if quality is not None else None
        else:
            scope = selectors.organisation_subtree_ids({indicator.organisation_id})
            value = selectors.programme_online_share(
                [entry for entry in entries if entry.organisation_id in scope], top=indicator.scope_top
            )
        if value is None:
            continue
        IndicatorValue.objects.update_or_create(
            indicator=indicator,
            zone="FRANCE",
            date=month,
            defaults={"value": ind.rounded(value), "computed": True},
        )
        written += 1
    return written
