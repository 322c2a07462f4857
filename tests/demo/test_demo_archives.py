"""The demo shows archiving at work: one procedure's dossiers, decided over a year ago, transferred to
the folder target (as `make run` configures it), and the elimination list awaiting the archivist's visa."""

import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from guichet.archives.models import (
    ArchivalState,
    ArchiveTransfer,
    DossierRetention,
    EliminationList,
    EliminationStatus,
    TransferStatus,
)
from guichet.demo.archives import ARCHIVED_COUNT, ARCHIVED_PROCEDURE

pytestmark = pytest.mark.slow


def test_the_demo_transfers_one_procedures_old_dossiers_and_awaits_the_visa(demo, settings, tmp_path):
    settings.GUICHET_ARCHIVE_DIRECTORY = str(tmp_path / "depot")
    settings.GUICHET_ARCHIVE_WORK_DIR = tmp_path / "work"

    call_command("demo", stdout=StringIO())

    transfers = ArchiveTransfer.objects.filter(dossier__procedure__slug=ARCHIVED_PROCEDURE)
    assert transfers.filter(status=TransferStatus.ACCEPTED).count() == ARCHIVED_COUNT == transfers.count()
    for transfer in transfers:
        checksum = f"{transfer.sip_name}.zip.sha512"
        subprocess.run(["sha512sum", "-c", checksum], cwd=tmp_path / "depot", check=True, capture_output=True)  # noqa: S603, S607
    awaiting = EliminationList.objects.get(status=EliminationStatus.AWAITING)
    assert awaiting.entries.count() == ARCHIVED_COUNT
    assert DossierRetention.objects.filter(state=ArchivalState.LISTED).count() == ARCHIVED_COUNT
    assert awaiting.list_pdf
