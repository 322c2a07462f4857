"""The archives' benchmark keeps working: its generator makes accepted dossiers with two stored files
each, whose packages the measure builds in full (`python -m bench.archives` runs the figures)."""

import pytest

from bench.archives import dossiers_generate, packages_measure
from guichet.dossiers.models import Dossier, DossierFile

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_the_benchmark_builds_a_package_for_every_dossier_it_generated(private_disk):
    slug = dossiers_generate(count=3)
    assert Dossier.objects.filter(procedure__slug=slug, state="accepted").count() == 3
    assert DossierFile.objects.filter(dossier__procedure__slug=slug).count() == 6
    result = packages_measure(slug=slug)
    assert result["packages"] == 3 and result["bytes"] > 3 * 2000
    assert result["peak_mb"] >= result["peak_first_tenth_mb"] > 0
    assert dossiers_generate(count=3) == slug  # the same number again: reused, not made twice
