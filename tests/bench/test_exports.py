"""The exports' benchmark keeps working: its generator makes filed dossiers the export reads in full
(`python -m bench.exports` is run by hand, not by the suite)."""

import pytest

from bench.exports import dossiers_generate, export_measure
from guichet.dossiers.models import Dossier, DossierSnapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("format", ["csv", "xlsx", "ods"])
def test_the_benchmark_exports_every_dossier_it_generated(format):
    slug = dossiers_generate(rows=30)
    assert Dossier.objects.filter(procedure__slug=slug).count() == 30
    assert DossierSnapshot.objects.filter(dossier__procedure__slug=slug).count() == 30
    result = export_measure(slug=slug, format=format)
    assert result["rows"] == 30 and result["columns"] == 20 and result["bytes"] > 1000
    assert dossiers_generate(rows=30) == slug  # the same number again: reused, not made twice
