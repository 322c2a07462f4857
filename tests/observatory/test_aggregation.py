"""The aggregation on a small data set whose figures are known: volumes per month (in Paris time),
processing time median and 90th percentile, opinions, help, online share, computed barometer
values; idempotent; run daily, on demand and from the command line."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from guichet.core.models import AuditEvent
from guichet.dossiers.models import Dossier, DossierState, Opinion
from guichet.observatory.aggregation import months_back, observatory_aggregate
from guichet.observatory.models import (
    AggregationRun,
    ChannelVolume,
    Computation,
    IndicatorValue,
    Phase,
    ProcedureMonth,
    ProcedureQuality,
    ProgrammeEntry,
)
from guichet.observatory.services import aggregation_request, observatory_daily_request
from guichet.procedures.models import Procedure
from tests.factories import IndicatorFactory, ProcedureFactory, ProgrammeEntryFactory, UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=PARIS)


def at(year, month, day, hour=12, minute=0, tz=PARIS):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz)


class Dossiers:
    """Dossiers written straight into the table with the dates the aggregation reads (the
    workflow that would have set them is tested elsewhere)."""

    def __init__(self, procedure):
        self.procedure = procedure
        self.version = procedure.versions.get(number=1)
        self.applicant = UserFactory()
        self.count = 0

    def add(self, *, submitted, decided=None, state=None):
        self.count += 1
        state = state or (DossierState.ACCEPTED if decided else DossierState.SUBMITTED)
        return Dossier.objects.create(
            procedure=self.procedure, version=self.version, applicant=self.applicant,
            number=f"T-{self.procedure.pk}-{self.count}", state=state, submitted_at=submitted, decided_at=decided,
        )  # fmt: skip

    def opinion(self, *, at_, overall, clarity=None, help_needed=None, help_reached=None, help_quality=None):
        dossier = self.add(submitted=at_ - datetime.timedelta(days=40))
        opinion = Opinion.objects.create(
            dossier=dossier, procedure=self.procedure, overall=overall, clarity=clarity, help_needed=help_needed,
            help_reached=help_reached, help_quality=help_quality,
        )  # fmt: skip
        Opinion.objects.filter(pk=opinion.pk).update(created_at=at_)


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(title="Demande d’acte de naissance")
    Procedure.objects.filter(pk=procedure.pk).update(published_at=at(2025, 1, 6))
    procedure.refresh_from_db()
    return procedure


def test_volumes_per_month_in_paris_time_and_processing_times(procedure):
    data = Dossiers(procedure)
    # The last 30 days' decisions took 1, 2, 3, 4 and 10 days.
    for days in (1, 2, 3, 4, 10):
        decided = at(2026, 6, 10)
        data.add(submitted=decided - datetime.timedelta(days=days), decided=decided)
    # April's decisions took 10 and 20 days; so did one decided long before the history.
    data.add(submitted=at(2026, 4, 1), decided=at(2026, 4, 11))
    data.add(submitted=at(2026, 4, 1), decided=at(2026, 4, 21), state=DossierState.REFUSED)
    data.add(submitted=at(2024, 1, 1), decided=at(2024, 1, 21))
    # 23:30 in Paris on 31 May is May; 00:30 on 1 June is June, whatever UTC says.
    data.add(submitted=at(2026, 5, 31, 23, 30))
    data.add(submitted=at(2026, 6, 1, 0, 30))
    data.add(submitted=at(2026, 5, 31, 22, 30, tz=datetime.UTC))  # 00:30 on 1 June in Paris
    # A withdrawn dossier counts as filed, a draft does not.
    data.add(submitted=at(2026, 6, 2), state=DossierState.WITHDRAWN)
    Dossier.objects.create(
        procedure=procedure, version=data.version, applicant=data.applicant, state=DossierState.DRAFT
    )

    report = observatory_aggregate(now=NOW)

    entry = ProgrammeEntry.objects.get(procedure=procedure)  # linked by the aggregation itself
    assert report.linked == 1 and report.entries == 1
    quality = ProcedureQuality.objects.get(entry=entry)
    assert quality.decisions_30_days == 5
    assert quality.processing_median_days == 3.0
    assert quality.processing_p90_days == 7.6
    months = {m.month: m for m in ProcedureMonth.objects.filter(entry=entry)}
    # Every month from 13 months back (the procedure is older), empty ones included.
    assert sorted(months) == [months_back(datetime.date(2026, 6, 1), back) for back in range(12, -1, -1)]
    assert months[datetime.date(2025, 6, 1)].submitted_count == 0
    june, may, april = (
        months[datetime.date(2026, 6, 1)],
        months[datetime.date(2026, 5, 1)],
        months[datetime.date(2026, 4, 1)],
    )
    # June: 4 of the 5 decided ones (filed 1 to 4 days before 10 June), 1 June at 00:30 twice, the withdrawn one.
    assert (june.submitted_count, june.decided_count) == (4 + 3, 5)
    # May: 31 May at 23:30, and the one decided on 10 June after 10 days.
    assert may.submitted_count == 2
    assert (april.submitted_count, april.decided_count) == (2, 2)
    assert (april.processing_median_days, april.processing_p90_days) == (15.0, 19.0)
    assert quality.online_12_months == sum(m.submitted_count for m in months.values())


def test_opinions_give_satisfaction_clarity_and_help(procedure):
    data = Dossiers(procedure)
    for index in range(120):
        needed = index < 50
        data.opinion(
            at_=at(2026, 5, 1),
            overall=10 if index < 80 else 5,
            clarity=4,
            help_needed=needed,
            help_reached=(index < 40) if needed else None,
            help_quality=5 if needed else None,
        )
    data.opinion(at_=at(2025, 5, 31), overall=0)  # more than 12 months ago: not counted
    observatory_aggregate(now=NOW)
    quality = ProcedureQuality.objects.get(entry__procedure=procedure)
    assert quality.opinions_count == 120
    assert quality.satisfaction == 8.3  # (80 × 10 + 40 × 5) / 120
    assert (quality.clarity_count, quality.clarity) == (120, 7.5)  # 4 on 1–5 is 7.5 / 10
    assert quality.help_needed_count == 50
    assert quality.help_used_pct == 41.7
    assert quality.help_reachable_pct == 80.0
    assert quality.help_efficiency == 10.0
    may = ProcedureMonth.objects.get(entry__procedure=procedure, month=datetime.date(2026, 5, 1))
    assert (may.opinions_count, may.satisfaction) == (120, 8.3)


def test_online_share_counts_the_other_channels_of_the_last_12_months(procedure):
    data = Dossiers(procedure)
    for _ in range(3):
        data.add(submitted=at(2026, 6, 1))
    data.add(submitted=at(2025, 6, 30))  # before the window (July 2025 to June 2026)
    observatory_aggregate(now=NOW)
    entry = ProgrammeEntry.objects.get(procedure=procedure)
    ChannelVolume.objects.create(entry=entry, channel="paper", month=datetime.date(2026, 5, 1), count=5)
    ChannelVolume.objects.create(entry=entry, channel="counter", month=datetime.date(2025, 7, 1), count=1)
    ChannelVolume.objects.create(entry=entry, channel="counter", month=datetime.date(2025, 6, 1), count=1000)
    observatory_aggregate(now=NOW)
    quality = ProcedureQuality.objects.get(entry=entry)
    assert (quality.online_12_months, quality.other_channels_12_months) == (3, 6)
    assert quality.online_share_pct == 33.3
    assert quality.yearly_volume == 9


def test_a_second_run_writes_the_same_figures(procedure):
    data = Dossiers(procedure)
    data.add(submitted=at(2026, 6, 1), decided=at(2026, 6, 5))
    observatory_aggregate(now=NOW)
    first = list(ProcedureMonth.objects.values_list("month", "submitted_count", "decided_count"))
    observatory_aggregate(now=NOW)
    assert list(ProcedureMonth.objects.values_list("month", "submitted_count", "decided_count")) == first
    assert ProcedureQuality.objects.count() == 1
    assert AuditEvent.objects.filter(action="observatory.aggregate", actor=None).count() == 2


def test_computed_barometer_values(procedure):
    data = Dossiers(procedure)
    data.add(submitted=at(2026, 6, 1))
    entry = ProgrammeEntry.objects.create(
        organisation=procedure.organisation, title=procedure.title, procedure=procedure
    )
    ProgrammeEntryFactory(organisation=procedure.organisation, phase=Phase.BUILD, yearly_volume=10)
    ProgrammeEntryFactory(organisation=procedure.organisation, phase=Phase.FRAMING, yearly_volume=5000)
    ChannelVolume.objects.create(entry=entry, channel="paper", month=datetime.date(2026, 6, 1), count=3)
    share = IndicatorFactory(
        organisation=procedure.organisation, computation=Computation.PROCEDURE_ONLINE_SHARE, entry=entry
    )
    programme = IndicatorFactory(organisation=procedure.organisation, computation=Computation.PROGRAMME_ONLINE_SHARE)
    top_two = IndicatorFactory(
        organisation=procedure.organisation, computation=Computation.PROGRAMME_ONLINE_SHARE, scope_top=2
    )
    entered = IndicatorFactory(organisation=procedure.organisation)
    observatory_aggregate(now=NOW)
    values = {v.indicator_id: v for v in IndicatorValue.objects.all()}
    assert values[share.pk].value == 25.0  # 1 online of 1 + 3
    assert values[programme.pk].value == 33.3  # 1 of 3 procedures online
    assert values[top_two.pk].value == 0.0  # the 2 most used (5 000 and 10 a year) are not online
    assert entered.pk not in values
    assert all(v.date == datetime.date(2026, 6, 1) and v.computed and v.zone == "FRANCE" for v in values.values())


def test_on_demand_runs_after_the_commit_and_a_waiting_run_is_not_doubled(
    procedure, django_capture_on_commit_callbacks
):
    steering = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = aggregation_request(actor=steering)
        assert aggregation_request(actor=steering) == run
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == AggregationRun.Status.DONE and run.entries == 1
    assert AuditEvent.objects.get(action="observatory.aggregation_request").actor == steering


def test_the_daily_request_goes_once_a_day_from_2_am(procedure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert observatory_daily_request(now=at(2026, 6, 15, 1, 30)) is None
        run = observatory_daily_request(now=at(2026, 6, 15, 2, 5))
        assert observatory_daily_request(now=at(2026, 6, 15, 9, 0)) is None
    assert run.trigger == AggregationRun.Trigger.SCHEDULED
    run.refresh_from_db()
    assert run.status == AggregationRun.Status.DONE
    with django_capture_on_commit_callbacks(execute=True):
        assert observatory_daily_request(now=at(2026, 6, 16, 3, 0)) is not None


def test_the_command_computes_at_once(procedure):
    out = io.StringIO()
    call_command("observatory_aggregate", stdout=out)
    assert "1 démarche(s) calculée(s)" in out.getvalue()
    assert ProcedureQuality.objects.filter(entry__procedure=procedure).exists()
    assert AggregationRun.objects.get().trigger == AggregationRun.Trigger.COMMAND


def test_a_procedure_never_published_is_not_linked():
    ProcedureFactory(status="draft")
    assert observatory_aggregate(now=timezone.now()).linked == 0


def test_the_command_hands_the_computation_to_the_worker(procedure, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("observatory_aggregate", "--enqueue", stdout=out)
    assert "Calcul demandé au worker" in out.getvalue()
    run = AggregationRun.objects.get()
    assert (run.trigger, run.status) == (AggregationRun.Trigger.COMMAND, AggregationRun.Status.DONE)


def test_a_failed_run_says_so(procedure, monkeypatch):
    from guichet.observatory import tasks

    def broken(**kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(tasks, "observatory_aggregate", broken)
    run = AggregationRun.objects.create(trigger=AggregationRun.Trigger.COMMAND)
    with pytest.raises(RuntimeError):
        tasks.aggregation_run(run)
    run.refresh_from_db()
    assert (run.status, run.error) == (AggregationRun.Status.FAILED, "base indisponible")
