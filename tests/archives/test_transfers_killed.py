"""The worker really killed (SIGKILL) in the middle of a batch of transfers, then started again: every
dossier reaches the archives exactly once, none is lost, none is half-written in the folder."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.utils import timezone

from guichet.archives.models import ArchivalState, ArchiveTransfer, DossierRetention, TransferStatus
from guichet.archives.retention import retention_review
from guichet.documents.models import Act
from guichet.dossiers.models import DossierFile
from guichet.instruction.followup.chain import followups_quiet
from tests.factories import DossierFactory, ProcedureFactory

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COUNT = 12


def worker_env(tmp_path: Path) -> dict[str, str]:
    """The worker as production runs it (a process of its own, its files on disk), on this test's
    database (committed: transactional_db)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings['NAME']}"
    else:
        url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": url,
        "GUICHET_VAR_DIR": str(tmp_path),
        "GUICHET_ARCHIVE_DIRECTORY": str(tmp_path / "depot"),
        "GUICHET_ARCHIVE_TRANSFER_LEASE_SECONDS": "1",
    }


def test_a_worker_killed_mid_batch_resumes_and_transfers_each_dossier_once(tmp_path, transactional_db, monkeypatch):
    disk = FileSystemStorage(location=tmp_path / "private")  # where the worker's settings keep them
    monkeypatch.setattr(DossierFile._meta.get_field("content"), "storage", disk)
    monkeypatch.setattr(Act._meta.get_field("pdf"), "storage", disk)
    procedure = ProcedureFactory(archival_agreement="IC-000001")
    with followups_quiet():  # filed "in the past", as the demo does: nobody is told
        for _ in range(COUNT):
            DossierFactory(procedure=procedure, accepted=True)
    retention_review()
    retention_review(today=timezone.localdate() + timedelta(days=6 * 366))
    depot = tmp_path / "depot"
    command = [sys.executable, "manage.py", "archives_transfer", "--batch", "100"]

    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(command, cwd=ROOT, env=worker_env(tmp_path), stdout=output, stderr=output)  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(depot.glob("*.zip.sha512"))) < 2:
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)  # mid-batch: some handed over, the others not yet
    finally:
        worker.wait(timeout=30)
    handed_over = len(list(depot.glob("*.zip.sha512")))
    assert 2 <= handed_over < COUNT, f"not killed mid-batch ({handed_over} of {COUNT}):\n{log.read_text()}"

    time.sleep(1.1)  # the dead worker's lease ends
    again = subprocess.run(command, cwd=ROOT, env=worker_env(tmp_path), capture_output=True, text=True, timeout=300)  # noqa: S603
    assert again.returncode == 0, again.stdout + again.stderr

    transfers = ArchiveTransfer.objects.filter(dossier__procedure=procedure)
    assert transfers.count() == COUNT  # one per dossier, none twice
    assert set(transfers.values_list("status", flat=True)) == {TransferStatus.ACCEPTED}
    assert set(DossierRetention.objects.filter(dossier__procedure=procedure).values_list("state", flat=True)) == {
        ArchivalState.TRANSFERRED
    }
    packages = sorted(depot.glob("*.zip"))
    assert len(packages) == COUNT and not list(depot.glob("*.part")) and not list(depot.glob(".*"))
    for transfer in transfers:
        package = depot / f"{transfer.sip_name}.zip"
        assert hashlib.sha512(package.read_bytes()).hexdigest() == transfer.sip_sha512
