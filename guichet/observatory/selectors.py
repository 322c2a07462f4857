"""Reads of the observatory. The public ones read only the programme, the declared values and the
summary tables that the aggregation fills: never the dossiers."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from guichet.accounts.models import Organisation, OrganisationRole, User

from . import indicators as ind
from .models import (
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    Phase,
    ProcedureMonth,
    ProcedureQuality,
    ProgrammeEntry,
)

# --- Who may edit ---------------------------------------------------------------------------


def steering_organisation_ids(user: User) -> set[int]:
    """The organisations where the person holds the steering role, and those under them."""
    if user is None or not user.is_authenticated:
        return set()
    roots = set(
        OrganisationRole.objects.filter(user=user, role=OrganisationRole.Role.STEERING).values_list(
            "organisation_id", flat=True
        )
    )
    return organisation_subtree_ids(roots) if roots else set()


def organisation_subtree_ids(roots: set[int]) -> set[int]:
    """The given organisations and every one below them (the tree is a few levels deep and the
    table a few hundred rows)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Organisation.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, todo = set(), list(roots)
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children[pk])
    return found


def steering_organisations(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=steering_organisation_ids(user))


def entries_editable_by(user: User) -> QuerySet[ProgrammeEntry]:
    return ProgrammeEntry.objects.filter(organisation_id__in=steering_organisation_ids(user)).select_related(
        "organisation"
    )


def entries_with_volumes_recorded_by(user: User) -> QuerySet[ProgrammeEntry]:
    """The entries whose other channels' volumes the person may record: those they steer, and
    the procedures they instruct (instructors see the paper and counter requests too)."""
    if user is None or not user.is_authenticated:
        return ProgrammeEntry.objects.none()
    instructed = ProgrammeEntry.objects.filter(procedure__instructor_groups__memberships__user=user).values("pk")
    return ProgrammeEntry.objects.filter(
        Q(organisation_id__in=steering_organisation_ids(user)) | Q(pk__in=instructed)
    ).select_related("organisation")


def programme_entry_ids(procedure_ids: list[int]) -> dict[int, int]:
    """The programme entry of each of these procedures that has one (procedure id → entry id)."""
    return dict(ProgrammeEntry.objects.filter(procedure_id__in=procedure_ids).values_list("procedure_id", "pk"))


def indicators_editable_by(user: User) -> QuerySet[Indicator]:
    return Indicator.objects.filter(organisation_id__in=steering_organisation_ids(user)).select_related("organisation")


# --- The quality of each procedure --------------------------------------------------------------


# What `?edition=` takes for every edition at once (the open data's history).
ALL_EDITIONS = "toutes"


def quality_editions() -> list[str]:
    """The editions of the quality table (quarters, « 2026-T4 »), the latest first."""
    return list(ProcedureQuality.objects.order_by("-edition").values_list("edition", flat=True).distinct())


def entry_editions(entry: ProgrammeEntry) -> list[str]:
    """The editions in which this procedure's indicators were computed, the latest first."""
    return list(entry.qualities.order_by("-edition").values_list("edition", flat=True))


def latest_edition() -> str | None:
    return ProcedureQuality.objects.order_by("-edition").values_list("edition", flat=True).first()


@dataclass
class QualityRow:
    entry: ProgrammeEntry
    quality: ProcedureQuality | None
    verdicts: list[ind.Verdict]
    edition: str | None = None
    frozen: bool = False  # a past edition: the declared values as they were then

    @property
    def yearly_volume(self) -> int | None:
        return entry_yearly_volume(self.entry, self.quality, frozen=self.frozen)

    @property
    def opinions_count(self) -> int:
        return self.quality.opinions_count if self.quality else 0


def entry_yearly_volume(entry: ProgrammeEntry, quality: ProcedureQuality | None, *, frozen: bool = False) -> int | None:
    """The yearly volume declared for the procedure, else the one counted (online dossiers and
    other channels' recorded requests of the last 12 months); in a past edition, as it was then."""
    declared = quality.declared_yearly_volume if frozen and quality is not None else entry.yearly_volume
    if declared is not None:
        return declared
    return quality.yearly_volume if quality is not None else None  # the same as entry.annual_volume


def entry_quality(entry: ProgrammeEntry) -> ProcedureQuality | None:
    """The entry's computed indicators in the edition it was read for (its latest by default)."""
    return entry.shown_quality


def entry_verdicts(
    entry: ProgrammeEntry, quality: ProcedureQuality | None, *, frozen: bool = False
) -> list[ind.Verdict]:
    """Every indicator of the observatory for one procedure, in the state's order. The latest
    edition shows the values declared now; a past one (`frozen`) those of its last computation."""
    opinions = quality.opinions_count if quality else 0
    clarity_count = quality.clarity_count if quality else 0
    help_count = quality.help_needed_count if quality else 0
    if frozen and quality is not None:
        online, rgaa = quality.online_status, quality.rgaa_rate
    else:
        online, rgaa = entry.online_status, entry.rgaa_rate
    # « Dites-le-nous une fois »: computed from the form of a procedure published in Guichet
    # (decision 0033); declared only for those not online yet.
    if entry.procedure_id is not None or (frozen and quality is not None):
        dlnuf, share = (quality.dlnuf_count, quality.sourced_share_pct) if quality else (None, None)
    else:
        dlnuf, share = entry.dlnuf_count, None
    return [
        ind.online_verdict(online),
        ind.score_verdict(
            "satisfaction", "Satisfaction des usagers", quality and quality.satisfaction, opinions=opinions
        ),
        ind.rgaa_verdict(rgaa),
        ind.dlnuf_verdict(dlnuf, sourced_share_pct=share),
        ind.usage_verdict(quality and quality.online_share_pct),
        ind.score_verdict("simplicity", "Clarté du langage", quality and quality.clarity, opinions=clarity_count),
        ind.help_reachable_verdict(quality and quality.help_reachable_pct, opinions=help_count),
        ind.score_verdict(
            "help_efficient", "Efficacité de l’aide", quality and quality.help_efficiency, opinions=help_count
        ),
        ind.help_used_verdict(quality and quality.help_used_pct, opinions=opinions),
        ind.auth_verdict(quality.franceconnect if quality else None),
        # Measured by the platform itself (observatory/probes.py).
        ind.uptime_verdict(quality.uptime_pct if quality else None),
        ind.performance_verdict(quality.load_seconds if quality else None),
    ]


def entries_with_quality(*, edition: str | None = None) -> QuerySet[ProgrammeEntry]:
    """The programme's entries, each with its computed indicators of `edition` (default: the
    latest) prefetched, read through `entry_quality`."""
    edition = latest_edition() if edition is None else edition
    return ProgrammeEntry.objects.select_related("organisation", "organisation__parent", "procedure").prefetch_related(
        Prefetch("qualities", queryset=ProcedureQuality.objects.filter(edition=edition), to_attr="edition_qualities")
    )


def quality_rows(*, organisation_slug: str = "", edition: str | None = None) -> list[QualityRow]:
    """One row per programme procedure in an edition (default: the latest, with every entry of
    the programme; a past one lists the procedures computed then, as they were)."""
    latest = latest_edition()
    edition = edition or latest
    frozen = edition is not None and edition != latest
    entries = entries_with_quality(edition=edition or "").order_by("title", "pk")
    if organisation_slug:
        entries = entries.filter(organisation__slug=organisation_slug)
    if frozen:
        entries = entries.filter(qualities__edition=edition)
    rows = []
    for entry in entries:
        quality = entry_quality(entry)
        rows.append(
            QualityRow(
                entry=entry,
                quality=quality,
                verdicts=entry_verdicts(entry, quality, frozen=frozen),
                edition=edition,
                frozen=frozen,
            )
        )
    return rows


def quality_rows_every_edition() -> list[QualityRow]:
    """One row per procedure and edition, the latest edition first: the open data's history."""
    return [row for edition in quality_editions() for row in quality_rows(edition=edition)]


def entry_public(pk: int, *, edition: str | None = None) -> ProgrammeEntry | None:
    return entries_with_quality(edition=edition).filter(pk=pk).first()


def entry_months(entry: ProgrammeEntry) -> list[ProcedureMonth]:
    return list(ProcedureMonth.objects.filter(entry=entry).order_by("month"))


@dataclass
class YearVolume:
    year: int
    submitted: int
    decided: int


def entry_years(months: list[ProcedureMonth]) -> list[YearVolume]:
    """The yearly volumes, summed from the monthly summary."""
    years: dict[int, YearVolume] = {}
    for month in months:
        row = years.setdefault(month.month.year, YearVolume(month.month.year, 0, 0))
        row.submitted += month.submitted_count
        row.decided += month.decided_count
    return [years[year] for year in sorted(years)]


def organisation_ministry(organisation: Organisation) -> Organisation:
    """The top of the organisation's tree (the ministry for a directorate)."""
    ancestors = organisation.ancestors()
    return ancestors[0] if ancestors else organisation


# --- The programme ------------------------------------------------------------------------------


@dataclass
class ProgrammeFigures:
    count: int = 0
    online_count: int = 0
    online_share: float | None = None
    volume_total: int = 0
    volume_online: int = 0
    volume_online_share: float | None = None
    cost_drift_mean: Decimal | None = None
    duration_drift_mean: Decimal | None = None
    cost_initial_total: float = 0
    cost_current_total: float = 0
    by_phase: list[tuple[str, int]] = field(default_factory=list)


def entry_is_online(entry: ProgrammeEntry) -> bool:
    """Counted as online: online end to end, or proactive (the observatory's green and blue)."""
    return ind.goal_reached(ind.level_online(entry.online_status))


def programme_figures(entries: list[ProgrammeEntry]) -> ProgrammeFigures:
    """The programme's headline figures, from its entries (a few hundred rows, no dossier)."""
    figures = ProgrammeFigures(count=len(entries))
    cost_drifts, duration_drifts = [], []
    phases: dict[str, int] = defaultdict(int)
    for entry in entries:
        online = entry_is_online(entry)
        figures.online_count += online
        volume = entry_yearly_volume(entry, entry_quality(entry)) or 0
        figures.volume_total += volume
        figures.volume_online += volume if online else 0
        if entry.cost_drift is not None:
            cost_drifts.append(entry.cost_drift)
        if entry.duration_drift is not None:
            duration_drifts.append(entry.duration_drift)
        figures.cost_initial_total += float(entry.cost_initial_eur or 0)
        figures.cost_current_total += float(entry.cost_current_eur or 0)
        phases[entry.phase] += 1
    figures.online_share = ind.share(figures.online_count, figures.count)
    figures.volume_online_share = ind.share(figures.volume_online, figures.volume_total)
    figures.cost_drift_mean = sum(cost_drifts) / len(cost_drifts) if cost_drifts else None
    figures.duration_drift_mean = sum(duration_drifts) / len(duration_drifts) if duration_drifts else None
    figures.by_phase = [(str(label), phases.get(value, 0)) for value, label in Phase.choices]
    return figures


def programme_entries(*, organisation_slug: str = "") -> list[ProgrammeEntry]:
    entries = entries_with_quality().order_by("organisation__name", "title", "pk")
    if organisation_slug:
        entries = entries.filter(organisation__slug=organisation_slug)
    return list(entries)


def programme_online_share(entries: list[ProgrammeEntry], *, top: int | None = None) -> float | None:
    """The share of the programme's procedures online, among the `top` most used when given."""
    if top:
        entries = sorted(entries, key=lambda e: (-(entry_yearly_volume(e, entry_quality(e)) or 0), e.pk))[:top]
    return ind.share(sum(entry_is_online(entry) for entry in entries), len(entries))


# --- The results barometer ----------------------------------------------------------------------


ZONE_ORDER = {ind.ZoneLevel.NATIONAL: 0, ind.ZoneLevel.REGIONAL: 1, ind.ZoneLevel.DEPARTMENTAL: 2}


@dataclass
class BarometerRow:
    """One value of one indicator in one zone, with the zone's start and target: the DITP's long
    format."""

    indicator: Indicator
    zone: str
    date: datetime.date | None
    value: float | None
    goal: IndicatorGoal | None

    @property
    def zone_level(self) -> str:
        return ind.zone_level(self.zone)

    @property
    def progress(self) -> float | None:
        if self.goal is None:
            return None
        return ind.progress_rate(initial=self.goal.initial_value, target=self.goal.target_value, actual=self.value)


@dataclass
class IndicatorSummary:
    indicator: Indicator
    zones: list[BarometerRow]  # the latest value of each zone
    history: list[BarometerRow]  # every value, oldest first


def barometer(*, indicator_ids: list[int] | None = None) -> list[IndicatorSummary]:
    """Every indicator with its goals and values (three queries)."""
    indicators = Indicator.objects.select_related("organisation", "entry").order_by("theme", "name", "pk")
    if indicator_ids is not None:
        indicators = indicators.filter(pk__in=indicator_ids)
    indicators = list(indicators)
    ids = [indicator.pk for indicator in indicators]
    goals = {(goal.indicator_id, goal.zone): goal for goal in IndicatorGoal.objects.filter(indicator_id__in=ids)}
    values: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.filter(indicator_id__in=ids).order_by("zone", "date"):
        values[value.indicator_id].append(value)
    summaries = []
    for indicator in indicators:
        history = [
            BarometerRow(indicator, v.zone, v.date, v.value, goals.get((indicator.pk, v.zone)))
            for v in values[indicator.pk]
        ]
        latest: dict[str, BarometerRow] = {}
        for row in history:
            latest[row.zone] = row
        for (indicator_id, zone), goal in goals.items():
            if indicator_id == indicator.pk and zone not in latest:
                latest[zone] = BarometerRow(indicator, zone, None, None, goal)
        zones = sorted(latest.values(), key=lambda row: (ZONE_ORDER[row.zone_level], row.zone))
        summaries.append(IndicatorSummary(indicator=indicator, zones=zones, history=history))
    return summaries


def indicator_public(pk: int) -> Indicator | None:
    return Indicator.objects.select_related("organisation", "entry").filter(pk=pk).first()
