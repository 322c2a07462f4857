import pytest

from bench.purge import purge_figures
from guichet.archives.models import Tombstone
from guichet.dossiers.models import DossierFile, Message

pytestmark = pytest.mark.slow


def test_the_purge_benchmark_eliminates_every_generated_dossier(demo):
    figures = {figure.name: figure.value for figure in purge_figures(3)}
    assert figures["purge_dossiers_per_second"] > 0
    assert Tombstone.objects.filter(number__startswith="P").count() == 3
    assert not DossierFile.objects.filter(dossier__tombstone__isnull=False).exists()
    assert not Message.objects.filter(dossier__tombstone__isnull=False).exists()
