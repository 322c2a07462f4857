"""Retention: each finished dossier gets its DUA from its procedure's rules, and when the DUA ends,
moves to what its final fate asks — except under litigation hold."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guichet.archives.models import ArchivalState, DossierRetention
from guichet.archives.retention import RetentionMoveRefused, retention_move, retention_review
from guichet.procedures.models import FinalFate, RetentionStart
from tests.factories import DossierFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


def test_a_decided_dossier_is_kept_for_its_procedures_years_from_the_decision():
    procedure = ProcedureFactory(retention_years=3)
    dossier = DossierFactory(procedure=procedure, accepted=True)
    draft = DossierFactory(procedure=procedure)
    filed = DossierFactory(procedure=procedure, submitted=True)

    counts = retention_review()

    retention = DossierRetention.objects.get(dossier=dossier)
    decided_on = timezone.localdate(dossier.decided_at)
    assert retention.starts_on == decided_on
    assert retention.ends_on == decided_on.replace(year=decided_on.year + 3)
    assert retention.state == ArchivalState.ACTIVE
    assert counts["scheduled"] == 1
    assert not DossierRetention.objects.filter(dossier__in=[draft, filed]).exists()


def test_the_dua_may_run_from_the_filing():
    procedure = ProcedureFactory(retention_years=1, retention_start=RetentionStart.SUBMISSION)
    dossier = DossierFactory(procedure=procedure, refused=True)
    retention_review()
    assert DossierRetention.objects.get(dossier=dossier).starts_on == timezone.localdate(dossier.submitted_at)


def test_when_the_dua_ends_each_dossier_goes_to_its_final_fate_unless_held():
    keep = DossierFactory(procedure=ProcedureFactory(final_fate=FinalFate.KEEP), accepted=True)
    sort = DossierFactory(procedure=ProcedureFactory(final_fate=FinalFate.SORT), closed=True)
    destroy = DossierFactory(procedure=ProcedureFactory(final_fate=FinalFate.DESTROY), refused=True)
    held = DossierFactory(procedure=ProcedureFactory(final_fate=FinalFate.DESTROY), accepted=True)
    retention_review()
    DossierRetention.objects.filter(dossier=held).update(litigation_hold=True)

    assert retention_review()["to_transfer"] == 0  # not yet due
    later = timezone.localdate() + timedelta(days=5 * 366)
    counts = retention_review(today=later)

    states = dict(DossierRetention.objects.values_list("dossier", "state"))
    assert states[keep.pk] == states[sort.pk] == ArchivalState.TO_TRANSFER
    assert states[destroy.pk] == ArchivalState.TO_ELIMINATE
    assert states[held.pk] == ArchivalState.ACTIVE
    assert (counts["to_transfer"], counts["to_eliminate"]) == (2, 1)


def test_moves_outside_the_table_are_refused():
    dossier = DossierFactory(accepted=True)
    retention_review()
    retention = DossierRetention.objects.get(dossier=dossier)
    with pytest.raises(RetentionMoveRefused):
        retention_move(retention=retention, to=ArchivalState.ELIMINATED)
    retention_move(retention=retention, to=ArchivalState.TO_TRANSFER)
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TO_TRANSFER
