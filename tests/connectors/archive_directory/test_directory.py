"""The folder target: what a collector finds there (the package and its checksum, never half of
one), and what a repeated deposit does."""

import hashlib
import io
import os
import subprocess

import pytest

from guichet.connectors.archive_directory.connector import DirectoryArchive
from guichet.connectors.base import ArchiveReplyCode, ConnectorRejected, ConnectorUnavailable
from tests.connectors.sip_example import sip_bytes, sip_file


@pytest.fixture
def target(tmp_path):
    return DirectoryArchive(directory=str(tmp_path / "versements"))


def test_a_package_lies_in_the_folder_with_a_checksum_that_sha512sum_accepts(target, tmp_path):
    path, sha512 = sip_file(tmp_path)
    deposit = target.deposit(sip=path, sip_name="dossier-2026-000042", sha512=sha512)
    assert deposit.operation_id == "dossier-2026-000042.zip"
    folder = tmp_path / "versements"
    assert sorted(os.listdir(folder)) == ["dossier-2026-000042.zip", "dossier-2026-000042.zip.sha512"]
    assert (folder / "dossier-2026-000042.zip").read_bytes() == path.read_bytes()
    assert (folder / "dossier-2026-000042.zip.sha512").read_text() == f"{sha512}  dossier-2026-000042.zip\n"
    check = subprocess.run(  # noqa: S603 (fixed arguments)
        ["sha512sum", "-c", "dossier-2026-000042.zip.sha512"],  # noqa: S607
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    progress = target.status(deposit.operation_id)
    assert progress.done
    reply = target.reply(deposit.operation_id)
    assert reply.code == ArchiveReplyCode.OK
    assert reply.atr_xml is None
    assert str(folder / "dossier-2026-000042.zip") in reply.message


def test_depositing_the_same_package_again_changes_nothing(target, tmp_path):
    content = sip_bytes()
    sha512 = hashlib.sha512(content).hexdigest()
    target.deposit(sip=io.BytesIO(content), sip_name="dossier-1", sha512=sha512)
    package = tmp_path / "versements" / "dossier-1.zip"
    written_at = package.stat().st_mtime_ns
    assert target.deposit(sip=io.BytesIO(content), sip_name="dossier-1", sha512=sha512).operation_id == "dossier-1.zip"
    assert package.stat().st_mtime_ns == written_at
    assert len(os.listdir(tmp_path / "versements")) == 2


def test_another_package_under_a_name_already_taken_is_refused(target, tmp_path):
    first, second = sip_bytes(), sip_bytes(act=b"%PDF-1.7\nun autre acte\n%%EOF\n")
    target.deposit(sip=io.BytesIO(first), sip_name="dossier-1", sha512=hashlib.sha512(first).hexdigest())
    with pytest.raises(ConnectorRejected, match="contient déjà un autre paquet nommé dossier-1.zip"):
        target.deposit(sip=io.BytesIO(second), sip_name="dossier-1", sha512=hashlib.sha512(second).hexdigest())
    assert (tmp_path / "versements" / "dossier-1.zip").read_bytes() == first


def test_a_package_altered_in_the_folder_is_not_taken_for_deposited(target, tmp_path):
    content = sip_bytes()
    sha512 = hashlib.sha512(content).hexdigest()
    target.deposit(sip=io.BytesIO(content), sip_name="dossier-1", sha512=sha512)
    (tmp_path / "versements" / "dossier-1.zip").write_bytes(b"abime")
    with pytest.raises(ConnectorRejected, match="ne correspond plus à son empreinte"):
        target.deposit(sip=io.BytesIO(content), sip_name="dossier-1", sha512=sha512)


def test_a_package_that_does_not_match_its_digest_leaves_nothing_behind(target, tmp_path):
    content = sip_bytes()
    with pytest.raises(ConnectorRejected, match="ne correspond pas à son empreinte SHA-512"):
        target.deposit(sip=io.BytesIO(content), sip_name="dossier-1", sha512=hashlib.sha512(b"autre").hexdigest())
    assert os.listdir(tmp_path / "versements") == []  # no package, no temporary file


def test_a_deposit_cut_before_its_checksum_is_written_again_whole(target, tmp_path):
    # A crash between the two renames leaves the package without its checksum: a collector does
    # not take it, and the next deposit writes both.
    content = sip_bytes()
    folder = tmp_path / "versements"
    folder.mkdir()
    (folder / "dossier-1.zip").write_bytes(content[:100])
    with pytest.raises(ConnectorRejected, match="ne contient pas le paquet"):
        target.status("dossier-1.zip")
    target.deposit(sip=io.BytesIO(content), sip_name="dossier-1", sha512=hashlib.sha512(content).hexdigest())
    assert (folder / "dossier-1.zip").read_bytes() == content
    assert target.status("dossier-1.zip").done


def test_a_folder_that_cannot_be_written_is_unavailable(tmp_path):
    (tmp_path / "fichier").write_text("pas un dossier")
    target = DirectoryArchive(directory=str(tmp_path / "fichier"))
    content = sip_bytes()
    with pytest.raises(ConnectorUnavailable, match="n’accepte pas d’écriture"):
        target.deposit(sip=io.BytesIO(content), sip_name="dossier-1", sha512=hashlib.sha512(content).hexdigest())


@pytest.mark.parametrize("name", ["../dossier", ".cache", "a/b", ""])
def test_a_name_that_would_leave_the_folder_is_a_programming_error(target, name):
    with pytest.raises(ValueError, match="Unsafe SIP name"):
        target.deposit(sip=io.BytesIO(b""), sip_name=name, sha512="00")
