"""A folder as archival target (setting GUICHET_ARCHIVE_DIRECTORY): each package is written there as
`<name>.zip`, with `<name>.zip.sha512` beside it in `sha512sum`'s format, for whoever collects the
folder to check it with `sha512sum -c`.

Both files are written whole under a temporary name and renamed into place (a rename is atomic in
one folder), the checksum last: a package whose checksum file is there is complete, and a collector
that takes only packages with their checksum file never takes half of one. Depositing the same name
with the same digest again does nothing (the written package is read back and checked); with
another digest it is refused: an archived package is never replaced.

Written to a local (or mounted) folder rather than through a Django storage: a storage's `save`
writes in place, so a crash would leave half a package under its final name. A bucket is a
connector of its own (archive_bucket), where an object's PUT is atomic."""

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

from django.conf import settings

from ..base import (
    ArchiveDeposit,
    ArchiveProgress,
    ArchiveReply,
    ArchiveReplyCode,
    ArchiveTransferConnector,
    ConnectorNotConfigured,
    ConnectorRejected,
    ConnectorUnavailable,
)
from ..sip import CHUNK, sip_name_check, sip_open

SYSTEM = "Le dossier de dépôt des archives"


@dataclass(frozen=True)
class DirectoryArchive(ArchiveTransferConnector):
    name = "archive_directory"
    setting_names = ("GUICHET_ARCHIVE_DIRECTORY",)
    # A second deposit of the same name and digest writes nothing: repeating one is harmless.
    deposit_idempotent = True

    directory: str

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_ARCHIVE_DIRECTORY)

    @classmethod
    def from_settings(cls) -> Self:
        directory = Path(settings.GUICHET_ARCHIVE_DIRECTORY)
        if not directory.is_absolute():
            raise ConnectorNotConfigured(
                f"GUICHET_ARCHIVE_DIRECTORY doit être un chemin absolu, et non {settings.GUICHET_ARCHIVE_DIRECTORY!r}."
            )
        return cls(directory=str(directory))

    def _paths(self, operation_id: str) -> tuple[Path, Path]:
        package = Path(self.directory) / operation_id
        return package, package.with_name(f"{package.name}.sha512")

    def deposit(self, *, sip: Path | IO[bytes], sip_name: str, sha512: str) -> ArchiveDeposit:
        deposit = ArchiveDeposit(operation_id=f"{sip_name_check(sip_name)}.zip")
        package, checksum = self._paths(deposit.operation_id)
        sha512 = sha512.lower()
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            if checksum.exists():
                self._check_deposited(package, checksum, sha512)
                return deposit
            with sip_open(sip) as stream:
                _write_atomically(package, stream, sha512=sha512)
            _write_atomically(checksum, io.BytesIO(f"{sha512}  {package.name}\n".encode()))
        except OSError as error:  # a full disk, a folder gone: the folder's keepers can fix it
            raise ConnectorUnavailable(f"{SYSTEM} ({self.directory}) n’accepte pas d’écriture : {error}") from error
        return deposit

    def _check_deposited(self, package: Path, checksum: Path, sha512: str) -> None:
        recorded = checksum.read_text().split(maxsplit=1)[0].lower() if checksum.stat().st_size else ""
        if recorded != sha512:
            raise ConnectorRejected(
                f"{SYSTEM} contient déjà un autre paquet nommé {package.name} (empreinte {recorded}) : "
                "il n’est pas remplacé"
            )
        with package.open("rb") as stream:
            if _sha512(stream) != sha512:
                raise ConnectorRejected(
                    f"{SYSTEM} : le paquet {package.name} déjà déposé ne correspond plus à son empreinte"
                )

    def status(self, operation_id: str) -> ArchiveProgress:
        self._deposited(operation_id)
        return ArchiveProgress(done=True, state="COMPLETED", status="OK")

    def reply(self, operation_id: str) -> ArchiveReply:
        """No archival system has looked at the package yet: there is no ATR to keep (None); the
        reply says where it lies, for the archivist."""
        package = self._deposited(operation_id)
        return ArchiveReply(
            code=ArchiveReplyCode.OK,
            atr_xml=None,
            message=f"Paquet déposé dans {package}, avec son empreinte SHA-512 ({package.name}.sha512).",
        )

    def _deposited(self, operation_id: str) -> Path:
        package, checksum = self._paths(sip_name_check(operation_id))
        if not (package.is_file() and checksum.is_file()):
            raise ConnectorRejected(f"{SYSTEM} ne contient pas le paquet {operation_id}")
        return package


def _sha512(stream: IO[bytes]) -> str:
    digest = hashlib.sha512()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(path: Path, stream: IO[bytes], *, sha512: str | None = None) -> None:
    """Copy `stream` to `path` through a temporary file in the same folder, flushed to the disk
    before it is renamed into place. With `sha512`, what was read must match it, else nothing is
    written (ConnectorRejected)."""
    digest = hashlib.sha512()
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as target:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
        if sha512 is not None and digest.hexdigest() != sha512:
            raise ConnectorRejected(
                f"Le paquet ne correspond pas à son empreinte SHA-512 (attendue {sha512}, lue {digest.hexdigest()})"
            )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
