"""Moving an instance's files from the disk to a bucket (`manage.py files_to_bucket`, decision 0051).

Each file keeps its name, so the database needs no change: a FileField stores the name, and the
storage configured in settings says where it lives. A file counts as moved only once the copy read
back from the bucket has the source's SHA-256. The move is safe to interrupt and to run again: a copy
already in the bucket with the right digest is left as it is, a different one (damaged, or left by an
earlier attempt) is replaced. The disk's files are never deleted: the operator removes them once
the report says every file is there."""

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage

CHUNK = 1024 * 1024


class FileMoveOutcome(StrEnum):
    MOVED = "copié"
    ALREADY_THERE = "déjà présent"
    FAILED = "en échec"


@dataclass
class FileMoveReport:
    moved: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    bytes_moved: int = 0


def files_on_disk(folder: Path) -> Iterator[str]:
    """Every file under the folder, as the storage's names ("a/b.pdf"), in a stable order."""
    for root, directories, names in os.walk(folder):
        directories.sort()
        for name in sorted(names):
            yield Path(root, name).relative_to(folder).as_posix()


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def stored_sha256(storage: Storage, name: str) -> str:
    with storage.open(name, "rb") as stored:
        return _sha256(stored)


def _copy(source: Path, target: Storage, name: str, digest: str) -> str | None:
    """Copy one file; None when the copy read back is the source, otherwise why not."""
    with source.open("rb") as stream:
        saved = target.save(name, File(stream, name=name))
    if saved != name:  # the name was taken after all (another process writing): not ours to keep
        target.delete(saved)
        return f"enregistré sous un autre nom ({saved})"
    if stored_sha256(target, name) != digest:
        target.delete(name)
        return "l’empreinte SHA-256 de la copie diffère de celle du fichier"
    return None


def _move_one(path: Path, target: Storage, name: str) -> tuple[str, str | None]:
    with path.open("rb") as stream:
        digest = _sha256(stream)
    if target.exists(name):
        if stored_sha256(target, name) == digest:
            return FileMoveOutcome.ALREADY_THERE, None
        target.delete(name)  # a different copy: damaged, or an earlier attempt's
    problem = _copy(path, target, name, digest)
    return (FileMoveOutcome.MOVED, None) if problem is None else (FileMoveOutcome.FAILED, problem)


def files_move(*, folder: Path, target: Storage, on_file: Callable[[str, str], None] | None = None) -> FileMoveReport:
    """Copy every file under `folder` into `target` under the same name, each verified by digest."""
    report = FileMoveReport()
    for name in files_on_disk(folder):
        path = folder / name
        try:
            outcome, problem = _move_one(path, target, name)
        except Exception as error:  # the disk's (OSError) or the bucket's client's (botocore), said
            outcome, problem = FileMoveOutcome.FAILED, f"{type(error).__name__} : {error}"
        if outcome == FileMoveOutcome.MOVED:
            report.moved.append(name)
            report.bytes_moved += path.stat().st_size
        elif outcome == FileMoveOutcome.ALREADY_THERE:
            report.already_there.append(name)
        else:
            report.failed[name] = problem or ""
        if on_file:
            on_file(name, outcome)
    return report
