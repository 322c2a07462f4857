"""The observatory's writes: each audited, each refused to whoever does not steer the organisation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guichet.accounts.models import OrganisationRole
from guichet.core.models import AuditEvent
from guichet.observatory.models import Computation, IndicatorGoal, IndicatorValue, Phase, ProgrammeEntry
from guichet.observatory.programme_link import programme_entry_link
from guichet.observatory.services import (
    channel_volume_record,
    indicator_create,
    indicator_goal_set,
    indicator_value_record,
    programme_entry_create,
    programme_entry_update,
)
from guichet.procedures.services import procedure_create, procedure_publish
from tests.factories import (
    SIMPLE_DEFINITION,
    IndicatorFactory,
    OrganisationFactory,
    ProcedureFactory,
    ProgrammeEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def test_steering_adds_a_procedure_not_yet_online_and_it_is_audited(steering, organisation):
    entry = programme_entry_create(
        actor=steering,
        organisation=organisation,
        title="Inscription à la cantine",
        phase=Phase.BUILD,
        cost_initial_eur=Decimal("100000"),
        cost_current_eur=Decimal("130000"),
        duration_initial_months=12,
        duration_current_months=15,
    )
    assert entry.online_status == "no"
    assert entry.cost_drift == Decimal("0.3")
    assert entry.duration_drift == Decimal("0.25")
    event = last_event("programme_entry.create")
    assert event.actor == steering and event.object_id == str(entry.pk)


def test_an_update_keeps_each_changed_value_before_and_after(steering, organisation):
    entry = ProgrammeEntryFactory(organisation=organisation)
    programme_entry_update(actor=steering, entry=entry, rgaa_rate=Decimal("75"), dlnuf_count=3)
    entry.refresh_from_db()
    assert entry.rgaa_rate == Decimal("75") and entry.dlnuf_count == 3
    changes = last_event("programme_entry.update").details["changes"]
    assert changes["rgaa_rate"][1] == "75" and changes["dlnuf_count"] == [None, 3]


def test_a_declared_rgaa_rate_above_100_is_refused(steering, organisation):
    entry = ProgrammeEntryFactory(organisation=organisation)
    with pytest.raises(ValidationError):
        programme_entry_update(actor=steering, entry=entry, rgaa_rate=Decimal("120"))


def test_other_people_cannot_edit(organisation):
    entry = ProgrammeEntryFactory(organisation=organisation)
    administrator = UserFactory()
    OrganisationRole.objects.create(
        user=administrator, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    other_steering = UserFactory()
    OrganisationRole.objects.create(
        user=other_steering, organisation=OrganisationFactory(), role=OrganisationRole.Role.STEERING
    )
    for person in (UserFactory(), administrator, other_steering):
        with pytest.raises(PermissionDenied):
            programme_entry_update(actor=person, entry=entry, dlnuf_count=0)
        with pytest.raises(PermissionDenied):
            channel_volume_record(actor=person, entry=entry, channel="paper", month=datetime.date(2026, 3, 1), count=1)
    assert not AuditEvent.objects.filter(action="programme_entry.update").exists()


def test_steering_a_ministry_covers_its_directorates(steering, organisation):
    directorate = OrganisationFactory(parent=organisation)
    entry = ProgrammeEntryFactory(organisation=directorate)
    programme_entry_update(actor=steering, entry=entry, phase=Phase.ROLLOUT)
    entry.refresh_from_db()
    assert entry.phase == Phase.ROLLOUT


def test_publishing_a_procedure_creates_its_programme_entry_once():
    administrator = UserFactory()
    procedure = procedure_create(
        actor=administrator, organisation=OrganisationFactory(), title="Carte de stationnement", slug="carte",
        definition=SIMPLE_DEFINITION,
    )  # fmt: skip
    procedure_publish(actor=administrator, procedure=procedure)
    entry = ProgrammeEntry.objects.get(procedure=procedure)
    assert (entry.title, entry.phase, entry.channels) == ("Carte de stationnement", Phase.ONLINE, ["online"])
    assert entry.online_status == "yes"
    procedure_publish(actor=administrator, procedure=procedure)  # a second version
    assert ProgrammeEntry.objects.filter(procedure=procedure).count() == 1
    assert AuditEvent.objects.filter(action="programme_entry.link").count() == 1


def test_publishing_links_the_entry_waiting_under_the_same_title(steering, organisation):
    waiting = ProgrammeEntryFactory(
        organisation=organisation, title="Inscription sur les listes électorales", phase=Phase.ROLLOUT,
        channels=["paper", "counter"], yearly_volume=1200,
    )  # fmt: skip
    procedure = procedure_create(
        actor=None, organisation=organisation, title="inscription sur les listes électorales",
        slug="listes", definition=SIMPLE_DEFINITION,
    )  # fmt: skip
    procedure_publish(actor=None, procedure=procedure)
    waiting.refresh_from_db()
    assert waiting.procedure == procedure
    assert waiting.phase == Phase.ONLINE
    assert waiting.channels == ["online", "paper", "counter"]
    assert waiting.yearly_volume == 1200
    assert ProgrammeEntry.objects.count() == 1


def test_linking_is_idempotent():
    procedure = ProcedureFactory()
    first = programme_entry_link(actor=None, procedure=procedure)
    again = programme_entry_link(actor=None, procedure=procedure)
    assert first.pk == again.pk


def test_a_channel_volume_recorded_twice_for_a_month_is_replaced(steering, organisation):
    entry = ProgrammeEntryFactory(organisation=organisation)
    channel_volume_record(actor=steering, entry=entry, channel="paper", month=datetime.date(2026, 3, 17), count=40)
    volume = channel_volume_record(
        actor=steering, entry=entry, channel="paper", month=datetime.date(2026, 3, 2), count=42
    )
    assert (volume.month, volume.count) == (datetime.date(2026, 3, 1), 42)
    assert entry.channel_volumes.count() == 1
    assert last_event("channel_volume.record").details["count"] == [40, 42]
    with pytest.raises(ValidationError):
        channel_volume_record(actor=steering, entry=entry, channel="online", month=datetime.date(2026, 3, 1), count=1)


def test_indicator_goal_and_entered_values(steering, organisation):
    indicator = indicator_create(
        actor=steering,
        organisation=organisation,
        code="etat-civil-en-ligne",
        name="Actes d’état civil demandés en ligne",
        unit="%",
    )
    indicator_goal_set(
        actor=steering, indicator=indicator, zone="FRANCE", initial_value=80, initial_date=datetime.date(2020, 1, 1),
        target_value=90, target_date=datetime.date(2022, 12, 31),
    )  # fmt: skip
    indicator_value_record(
        actor=steering, indicator=indicator, zone="FRANCE", date=datetime.date(2021, 5, 31), value=87
    )
    indicator_value_record(
        actor=steering, indicator=indicator, zone="FRANCE", date=datetime.date(2021, 5, 31), value=88
    )
    assert IndicatorGoal.objects.get(indicator=indicator).target_value == 90
    assert IndicatorValue.objects.get(indicator=indicator).value == 88
    assert last_event("indicator.value_record").details["value"] == [87, 88]
    assert last_event("indicator.goal_set").actor == steering


def test_values_of_a_computed_indicator_cannot_be_entered(steering, organisation):
    indicator = IndicatorFactory(organisation=organisation, computation=Computation.PROGRAMME_ONLINE_SHARE)
    with pytest.raises(ValidationError):
        indicator_value_record(
            actor=steering, indicator=indicator, zone="FRANCE", date=datetime.date(2026, 1, 1), value=1
        )


def test_a_goal_with_a_bad_zone_or_a_target_before_its_start_is_refused(steering, organisation):
    indicator = IndicatorFactory(organisation=organisation)
    start = datetime.date(2024, 1, 1)
    with pytest.raises(ValidationError):
        indicator_goal_set(
            actor=steering, indicator=indicator, zone="Bretagne", initial_value=1, initial_date=start,
            target_value=2, target_date=start,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        indicator_goal_set(
            actor=steering, indicator=indicator, zone="R53", initial_value=1, initial_date=start,
            target_value=2, target_date=datetime.date(2023, 1, 1),
        )  # fmt: skip
