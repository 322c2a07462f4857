"""The observatory benchmark's data are what the aggregation would meet: filed dossiers of the
demo's procedures over two years, decided after they were filed, with one opinion for about one in
five, and an aggregation over them that judges every procedure."""

import datetime

import pytest
from django.db import connection
from django.db.models import F, Min
from django.utils import timezone

from bench.observatory_data import PROCEDURES, observatory_data_generate
from guichet.dossiers.models import Dossier, DossierState, Opinion
from guichet.observatory.aggregation import observatory_aggregate
from guichet.observatory.selectors import quality_rows

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes with PostgreSQL's SQL"),
]


def test_the_generated_dossiers_and_opinions(demo):
    before = Dossier.objects.count()
    report = observatory_data_generate(20_000, seed=0.3)
    generated = Dossier.objects.filter(number__startswith="OBS-")
    assert report.dossiers == 20_000 and generated.count() == 20_000 == Dossier.objects.count() - before
    assert set(generated.values_list("procedure__slug", flat=True).distinct()) == set(PROCEDURES)
    assert not generated.filter(decided_at__lt=F("submitted_at")).exists()
    assert not generated.filter(state__in=DossierState.decided(), decided_at__isnull=True).exists()
    assert not generated.exclude(state__in=DossierState.decided()).filter(decided_at__isnull=False).exists()
    oldest = generated.aggregate(at=Min("submitted_at"))["at"]
    assert timezone.now() - oldest > datetime.timedelta(days=13 * 31)  # more than the aggregation reads
    opinions = Opinion.objects.filter(dossier__number__startswith="OBS-")
    assert 0.15 < opinions.count() / 20_000 < 0.25 and report.opinions == opinions.count()
    assert set(opinions.values_list("overall", flat=True).distinct()) == {0, 5, 10}
    assert not opinions.filter(dossier__state=DossierState.DRAFT).exists()

    observatory_aggregate()
    levels = {
        row.entry.procedure.slug: next(v.level for v in row.verdicts if v.slug == "satisfaction")
        for row in quality_rows()
        if row.entry.procedure_id
    }
    assert "gray" not in levels.values() and len(set(levels.values())) >= 2
