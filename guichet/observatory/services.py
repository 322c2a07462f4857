"""Writes of the observatory: the programme and its declared values, the other channels' volumes,
the barometer's indicators, targets and entered values, and requests for a new aggregation. Each
is atomic and records one audit event naming who acted. The steering team acts on its own
organisations only; `actor=None` is the platform acting by itself."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import Organisation, User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.sequences import sequence_next
from guichet.core.task_queue import task_enqueue_after_commit

from .models import (
    AggregationRun,
    Channel,
    ChannelVolume,
    Computation,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    ProgrammeEntry,
)
from .selectors import entries_with_volumes_recorded_by, steering_organisation_ids
from .tasks import observatory_aggregate_task

ENTRY_FIELDS = (
    "title",
    "organisation",
    "yearly_volume",
    "channels",
    "phase",
    "proactive",
    "partially_online",
    "start_date",
    "duration_initial_months",
    "duration_current_months",
    "cost_initial_eur",
    "cost_current_eur",
    "rgaa_rate",
    "rgaa_declared_on",
    "dlnuf_count",
)
INDICATOR_FIELDS = ("organisation", "code", "name", "theme", "unit", "direction", "computation", "entry", "scope_top")


def _check_steering(actor: User | None, organisation_id: int) -> None:
    if actor is not None and organisation_id not in steering_organisation_ids(actor):
        raise PermissionDenied("Seule l’équipe de pilotage de cette organisation peut modifier ces données.")


def _check_fields(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed, as the audit trail keeps them."""

    def plain(value):
        return value.pk if hasattr(value, "pk") else value

    return {
        name: [plain(before[name]), plain(value)]
        for name, value in after.items()
        if plain(before[name]) != plain(value)
    }


@transaction.atomic
def programme_entry_create(
    *, actor: User | None, organisation: Organisation, title: str, **values: Any
) -> ProgrammeEntry:
    """Add a procedure to the programme (online or not yet)."""
    _check_fields(values, ENTRY_FIELDS)
    _check_steering(actor, organisation.pk)
    entry = ProgrammeEntry(organisation=organisation, title=title, **values)
    entry.full_clean()
    entry.save()
    audit_record(actor=actor, action=AuditAction.PROGRAMME_ENTRY_CREATE, target=entry, details={"title": title})
    return entry


@transaction.atomic
def programme_entry_update(*, actor: User | None, entry: ProgrammeEntry, **values: Any) -> ProgrammeEntry:
    """Change a programme entry: its phase, schedule, costs, declared RGAA rate, « Dites-le-nous
    une fois » count... The audit event keeps each changed value before and after."""
    _check_fields(values, ENTRY_FIELDS)
    locked = ProgrammeEntry.objects.select_for_update().get(pk=entry.pk)
    _check_steering(actor, locked.organisation_id)
    if "dlnuf_count" in values and locked.procedure_id is not None:
        raise ValidationError(
            "« Dites-le-nous une fois » est calculé d’après le formulaire de la démarche publiée dans Guichet."
        )
    if "organisation" in values:
        _check_steering(actor, values["organisation"].pk)
    before = {name: getattr(locked, name) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    changes = _changes(before, values)
    audit_record(actor=actor, action=AuditAction.PROGRAMME_ENTRY_UPDATE, target=locked, details={"changes": changes})
    entry.refresh_from_db()
    return entry


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def channel_volume_record(
    *, actor: User | None, entry: ProgrammeEntry, channel: str, month: datetime.date, count: int
) -> ChannelVolume:
    """Record how many requests came through another channel than Guichet (paper, counter...)
    in one month; recording the same month again replaces its figure. The steering team and the
    procedure's instructors may."""
    if actor is not None and not entries_with_volumes_recorded_by(actor).filter(pk=entry.pk).exists():
        raise PermissionDenied(
            "Seuls l’équipe de pilotage et les instructeurs de la démarche peuvent saisir ces volumes."
        )
    if channel not in dict(Channel.offline()):
        raise ValidationError("Les dossiers déposés en ligne sont comptés par Guichet : choisissez un autre canal.")
    if count < 0:
        raise ValidationError("Le nombre de demandes ne peut pas être négatif.")
    month = _first_of_month(month)
    volume = ChannelVolume.objects.select_for_update().filter(entry=entry, channel=channel, month=month).first()
    before = volume.count if volume else None
    if volume is None:
        volume = ChannelVolume.objects.create(entry=entry, channel=channel, month=month, count=count)
    else:
        volume.count = count
        volume.save(update_fields=["count", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANNEL_VOLUME_RECORD,
        target=entry,
        details={"channel": channel, "month": month, "count": [before, count]},
    )
    return volume


@transaction.atomic
def indicator_create(*, actor: User | None, organisation: Organisation, **values: Any) -> Indicator:
    """Add an indicator to the results barometer."""
    _check_fields(values, INDICATOR_FIELDS)
    _check_steering(actor, organisation.pk)
    indicator = Indicator(organisation=organisation, **values)
    indicator.full_clean()
    _check_computation(indicator)
    indicator.save()
    audit_record(actor=actor, action=AuditAction.INDICATOR_CREATE, target=indicator, details={"code": indicator.code})
    return indicator


def _check_computation(indicator: Indicator) -> None:
    if indicator.computation == Computation.PROCEDURE_ONLINE_SHARE and indicator.entry_id is None:
        raise ValidationError({"entry": "Choisissez la démarche dont la part des demandes en ligne est mesurée."})


@transaction.atomic
def indicator_update(*, actor: User | None, indicator: Indicator, **values: Any) -> Indicator:
    """Change an indicator's name, unit, direction or origin."""
    _check_fields(values, INDICATOR_FIELDS)
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _check_steering(actor, locked.organisation_id)
    if "organisation" in values:
        _check_steering(actor, values["organisation"].pk)
    before = {name: getattr(locked, name) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    _check_computation(locked)
    locked.save()
    audit_record(
        actor=actor, action=AuditAction.INDICATOR_UPDATE, target=locked, details={"changes": _changes(before, values)}
    )
    indicator.refresh_from_db()
    return indicator


@transaction.atomic
def indicator_goal_set(
    *,
    actor: User | None,
    indicator: Indicator,
    zone: str,
    initial_value: float,
    initial_date: datetime.date,
    target_value: float,
    target_date: datetime.date,
) -> IndicatorGoal:
    """Set where an indicator started and its target, in one zone (setting it again replaces it)."""
    _check_steering(actor, indicator.organisation_id)
    goal = IndicatorGoal.objects.select_for_update().filter(indicator=indicator, zone=zone).first()
    before = (
        {"initial": [goal.initial_value, goal.initial_date], "target": [goal.target_value, goal.target_date]}
        if goal
        else None
    )
    goal = goal or IndicatorGoal(indicator=indicator, zone=zone)
    goal.initial_value, goal.initial_date = initial_value, initial_date
    goal.target_value, goal.target_date = target_value, target_date
    goal.full_clean()
    goal.save()
    audit_record(
        actor=actor,
        action=AuditAction.INDICATOR_GOAL_SET,
        target=indicator,
        details={
            "zone": zone,
            "before": before,
            "initial": [initial_value, initial_date],
            "target": [target_value, target_date],
        },
    )
    return goal


@transaction.atomic
def indicator_value_record(
    *, actor: User | None, indicator: Indicator, zone: str, date: datetime.date, value: float
) -> IndicatorValue:
    """Enter one value of an indicator that Guichet does not compute (the same date again
    replaces it)."""
    _check_steering(actor, indicator.organisation_id)
    if indicator.is_computed:
        raise ValidationError("Guichet calcule lui-même les valeurs de cet indicateur.")
    row = IndicatorValue.objects.select_for_update().filter(indicator=indicator, zone=zone, date=date).first()
    before = row.value if row else None
    row = row or IndicatorValue(indicator=indicator, zone=zone, date=date)
    row.value = value
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.INDICATOR_VALUE_RECORD,
        target=indicator,
        details={"zone": zone, "date": date, "value": [before, value]},
    )
    return row


@transaction.atomic
def aggregation_request(*, actor: User | None, trigger: str = AggregationRun.Trigger.ON_DEMAND) -> AggregationRun:
    """Ask the worker to compute the indicators again, after the commit. A run already waiting is
    returned instead of a second one (a double click, two colleagues)."""
    waiting = AggregationRun.objects.filter(status=AggregationRun.Status.PENDING).first()
    if waiting is not None:
        return waiting
    run = AggregationRun.objects.create(trigger=trigger, requested_by=actor)
    audit_record(
        actor=actor, action=AuditAction.OBSERVATORY_AGGREGATION_REQUEST, target=run, details={"trigger": trigger}
    )
    task_enqueue_after_commit(observatory_aggregate_task, run.pk)
    return run


# The daily aggregation is asked for from this hour (Paris), once a day.
DAILY_HOUR = 2


def observatory_daily_request(*, now: datetime.datetime | None = None) -> AggregationRun | None:
    """Ask for the day's aggregation, once a day from DAILY_HOUR: however often it is called,
    the day's counter lets only the first call after that hour through."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DAILY_HOUR:
        return None
    with transaction.atomic():
        if sequence_next(f"observatory-{local.date().isoformat()}") != 1:
            return None
        return aggregation_request(actor=None, trigger=AggregationRun.Trigger.SCHEDULED)
