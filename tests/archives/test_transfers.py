"""Transfers to the archival system, as the worker runs them: to a folder and to a stand-in Vitam
over mutual TLS (tests/connectors/vitam). What an archivist must be able to rely on: an accepted
transfer keeps its ATR and Vitam's ids, a refused one its reason and is not sent again by itself,
a network failure is retried, a worker killed at any step resumes, and no dossier goes twice."""

import hashlib
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from guichet.archives.models import ArchivalState, ArchiveTransfer, DossierRetention, TransferStatus
from guichet.archives.retention import retention_review
from guichet.archives.transfers import _deposit, archive_transfer_resume, transfers_create, transfers_run
from guichet.connectors.archive_directory.connector import DirectoryArchive
from guichet.connectors.base import ConnectorUnavailable
from guichet.connectors.registry import connector_for
from guichet.connectors.vitam.connector import VitamArchive
from guichet.core.audit_verification import audit_verify
from guichet.dossiers.models import DossierFile
from tests.archives.conftest import PDF_BYTES
from tests.connectors.vitam.stand_in import RESET, stand_in_vitam
from tests.factories import DossierFactory, ProcedureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

AGREEMENT = "IC-GUICHET-000001"


def dossiers_due(count: int = 1, **procedure):
    """Decided dossiers whose DUA has ended and whose final fate is to keep them."""
    procedure = ProcedureFactory(archival_agreement=AGREEMENT, **procedure)
    dossiers = [DossierFactory(procedure=procedure, accepted=True) for _ in range(count)]
    retention_review()
    retention_review(today=timezone.localdate() + timedelta(days=6 * 366))
    assert DossierRetention.objects.filter(state=ArchivalState.TO_TRANSFER).count() == count
    return dossiers


def later(minutes: float) -> timezone.datetime:
    return timezone.now() + timedelta(minutes=minutes)


@pytest.fixture
def folder(settings, tmp_path):
    settings.GUICHET_VITAM_URL = ""
    settings.GUICHET_ARCHIVE_DIRECTORY = str(tmp_path / "depot")
    settings.GUICHET_ARCHIVE_WORK_DIR = tmp_path / "work"
    return tmp_path / "depot"


@pytest.fixture
def vitam(settings, tmp_path):
    with stand_in_vitam(tmp_path / "vitam") as stand_in:
        settings.GUICHET_VITAM_URL = stand_in.url
        settings.GUICHET_VITAM_ADMIN_URL = ""
        settings.GUICHET_VITAM_TENANT = str(stand_in.tenant)
        settings.GUICHET_VITAM_CERT = str(stand_in.tls.client_certificate)
        settings.GUICHET_VITAM_KEY = str(stand_in.tls.client_key)
        settings.GUICHET_VITAM_CA = str(stand_in.tls.authority)
        settings.GUICHET_ARCHIVE_WORK_DIR = tmp_path / "work"
        stand_in.ingest_contracts = {AGREEMENT}
        yield stand_in


def test_to_a_folder_each_dossier_goes_once_with_its_checksum(folder):
    dossiers = dossiers_due(2)

    report = transfers_run()

    assert (report.created, report.sent, report.accepted) == (2, 2, 2)
    for dossier in dossiers:
        transfer = ArchiveTransfer.objects.get(dossier=dossier)
        assert transfer.status == TransferStatus.ACCEPTED
        package = folder / f"{transfer.sip_name}.zip"
        assert hashlib.sha512(package.read_bytes()).hexdigest() == transfer.sip_sha512
        subprocess.run(["sha512sum", "-c", f"{package.name}.sha512"], cwd=folder, check=True, capture_output=True)  # noqa: S603, S607
        assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TRANSFERRED
    # The next rounds find nothing to do: no dossier is transferred twice.
    assert transfers_run(now=later(60)).created == 0
    assert ArchiveTransfer.objects.count() == 2
    assert len(list(folder.glob("*.zip"))) == 2
    assert audit_verify()[1] is None


def test_to_vitam_the_atr_and_the_system_ids_are_kept(vitam):
    (dossier,) = dossiers_due()

    first = transfers_run()
    assert (first.sent, first.waiting) == (1, 1)  # handed over, Vitam still at work
    transfer = ArchiveTransfer.objects.get(dossier=dossier)
    assert transfer.status == TransferStatus.SENT and transfer.operation_id in vitam.operations
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TRANSFERRING

    second = transfers_run(now=later(1))
    assert second.accepted == 1
    transfer.refresh_from_db()
    assert transfer.reply_code == "OK"
    assert transfer.unit_ids == vitam.operations[transfer.operation_id].unit_ids
    assert "ArchiveTransferReply" in transfer.reply
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TRANSFERRED
    assert len(vitam.operations) == 1


def test_a_refusal_keeps_its_reason_and_is_not_sent_again_by_itself(vitam):
    (dossier,) = dossiers_due()
    vitam.ingest_contracts = {"IC-AUTRE"}

    transfers_run()
    report = transfers_run(now=later(1))

    assert report.refused == 1
    transfer = ArchiveTransfer.objects.get(dossier=dossier)
    assert transfer.status == TransferStatus.REFUSED and transfer.reply_code == "KO"
    assert "contrat d’entrée" in transfer.reply_message and AGREEMENT in transfer.reply_message
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TRANSFER_REFUSED
    transfers_run(now=later(600))
    assert len(vitam.operations) == 1


def test_a_network_failure_is_tried_again_later(vitam):
    (dossier,) = dossiers_due()
    vitam.script = [RESET] * 3  # every attempt of the connector's first round is cut

    report = transfers_run()

    transfer = ArchiveTransfer.objects.get(dossier=dossier)
    assert report.errors and transfer.status == TransferStatus.PENDING
    assert transfer.attempts == 1 and transfer.last_error
    assert transfer.next_attempt_at > timezone.now()
    assert not vitam.operations
    transfers_run(now=later(2))
    transfers_run(now=later(3))
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and len(vitam.operations) == 1


class Killed(BaseException):
    """The worker's process dies here (not an error it could catch)."""


def kill_after(monkeypatch, connector_class, method: str):
    """The worker dies right after `method` of the connector has done its work, before Guichet has
    recorded what it answered."""
    real = getattr(connector_class, method)

    def dying(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise Killed

    monkeypatch.setattr(connector_class, method, dying)
    return lambda: monkeypatch.setattr(connector_class, method, real)


def test_a_worker_killed_after_a_deposit_to_a_folder_resumes_without_a_second_package(folder, monkeypatch):
    dossiers = dossiers_due(3)
    revive = kill_after(monkeypatch, DirectoryArchive, "deposit")
    with pytest.raises(Killed):
        transfers_run()
    revive()

    # The next round, once the dead worker's lease is over, finishes the batch.
    transfers_run(now=later(11))

    assert ArchiveTransfer.objects.filter(status=TransferStatus.ACCEPTED).count() == 3
    assert len(list(folder.glob("*.zip"))) == 3
    for dossier in dossiers:
        assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TRANSFERRED


def test_a_worker_killed_after_a_deposit_to_vitam_never_sends_it_twice(vitam, monkeypatch):
    (dossier,) = dossiers_due()
    revive = kill_after(monkeypatch, VitamArchive, "deposit")
    with pytest.raises(Killed):
        transfers_run()
    revive()

    report = transfers_run(now=later(11))

    # Vitam may hold it: the archivist is asked to check rather than risk two archives.
    transfer = ArchiveTransfer.objects.get(dossier=dossier)
    assert report.errors and "Vérifiez dans le système d’archivage" in transfer.last_error
    assert transfer.next_attempt_at is None
    assert len(vitam.operations) == 1
    transfers_run(now=later(600))
    assert len(vitam.operations) == 1

    # The archivist checked (it was not there, say) and starts it again.
    vitam.operations.clear()
    archive_transfer_resume(transfer=transfer, actor=None)
    transfers_run(now=later(601))
    transfers_run(now=later(602))
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and len(vitam.operations) == 1


def test_a_worker_killed_before_recording_vitams_reply_records_it_when_resumed(vitam, monkeypatch):
    (dossier,) = dossiers_due()
    transfers_run()
    revive = kill_after(monkeypatch, VitamArchive, "reply")
    with pytest.raises(Killed):
        transfers_run(now=later(1))
    revive()
    assert ArchiveTransfer.objects.get(dossier=dossier).status == TransferStatus.SENT

    transfers_run(now=later(12))

    transfer = ArchiveTransfer.objects.get(dossier=dossier)
    assert transfer.status == TransferStatus.ACCEPTED and len(vitam.operations) == 1


def test_a_package_whose_attachment_changed_since_filing_never_leaves(folder, decided, private_disk, settings):
    retention_review(today=timezone.localdate() + timedelta(days=11 * 366))
    assert DossierRetention.objects.get(dossier=decided).state == ArchivalState.TO_TRANSFER
    stored = DossierFile.objects.get(dossier=decided, name="facture électricité.pdf")
    (private_disk / stored.content.name).write_bytes(PDF_BYTES + b"ajout")  # altered behind Guichet's back

    report = transfers_run()

    transfer = ArchiveTransfer.objects.get(dossier=decided)
    assert report.errors and "n’est pas conforme" in transfer.last_error
    assert "ne correspond plus à l’empreinte enregistrée" in transfer.last_error
    assert transfer.next_attempt_at is None  # waits for the archivist
    assert not folder.exists() or not list(folder.glob("*.zip"))
    assert not list(Path(settings.GUICHET_ARCHIVE_WORK_DIR).glob("*.zip"))  # nothing half-made left


def test_a_dossier_held_for_litigation_after_its_transfer_was_prepared_does_not_leave(vitam):
    (dossier,) = dossiers_due()
    vitam.script = [RESET] * 3  # the first round fails: the transfer waits, prepared
    transfers_run()
    DossierRetention.objects.filter(dossier=dossier).update(litigation_hold=True, litigation_hold_reason="Recours")

    transfers_run(now=later(2))

    transfer = ArchiveTransfer.objects.get(dossier=dossier)
    assert transfer.status == TransferStatus.CANCELLED and "contentieux" in transfer.last_error
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TO_TRANSFER
    assert not vitam.operations
    transfers_run(now=later(10))  # held: no new transfer
    assert ArchiveTransfer.objects.filter(dossier=dossier).count() == 1


def test_two_workers_never_hand_the_same_package_over(vitam):
    (dossier,) = dossiers_due()
    transfers_create(target="vitam", now=timezone.now())
    # Worker B read the transfer (not started), then worker A started its deposit.
    stale = ArchiveTransfer.objects.select_related("dossier__procedure__organisation").get(dossier=dossier)
    ArchiveTransfer.objects.filter(pk=stale.pk).update(sent_at=timezone.now())

    with pytest.raises(ConnectorUnavailable, match="un autre processus le verse déjà"):
        _deposit(stale, connector_for("archive_transfer"))
    assert not vitam.operations
