"""A ZIP of the attachments of a list of dossiers, streamed: `<numéro>/<nom d’origine>` per file."""

import logging
import re
import unicodedata
import zlib
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from stream_zip import ZIP_32, ZIP_AUTO, stream_zip

from guichet.dossiers.models import Dossier, DossierFile, MessageAttachment

from .rows import filed_answers

logger = logging.getLogger(__name__)

BATCH = 200  # dossiers whose files are read at once
FILE_CHUNK = 256 * 1024
NAME_MAX = 150  # characters: paths stay under the 260 that Windows' explorer handles

# Characters that Windows or macOS refuse in a file name, and control characters.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))}


def attachment_file_name(name: str) -> str:
    """A sender's file name made safe to unpack anywhere: never a path (no folder, no "..", no drive),
    no character that a file system refuses, not too long, never empty."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    extension = extension[:20]
    stem = stem[: NAME_MAX - len(extension) - 1].rstrip(" .")
    if not stem:
        stem = gettext("fichier")
    return f"{stem}.{extension}" if extension else stem


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or "name (2).ext", "name (3).ext"…: compared without case, as Windows and macOS do."""
    candidate, number = name, 1
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}).{extension}" if extension else f"{stem} ({number})"
    taken.add(candidate.casefold())
    return candidate


def _answer_file_keys(answers: Any) -> Iterator[str]:
    """The keys of the files that answers refer to, block rows included."""
    if isinstance(answers, dict):
        if "key" in answers and "content_type" in answers:
            yield str(answers["key"])
            return
        for value in answers.values():
            yield from _answer_file_keys(value)
    elif isinstance(answers, list):
        for value in answers:
            yield from _answer_file_keys(value)


def _file_chunks(handle) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(FILE_CHUNK):
            yield chunk


def _batches(queryset: QuerySet[Dossier]) -> Iterator[list[tuple]]:
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    records = queryset.annotate(export_answers=filed_answers()).values_list("pk", "number", "export_answers")
    iterator = records.iterator(chunk_size=BATCH)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def _batch_files(batch: list[tuple]) -> list[DossierFile]:
    """The files of a batch of dossiers, in the batch's order, each dossier's in the order they came:
    those its filed answers refer to and those sent with its messages, not those replaced before."""
    keys = {key for _pk, _number, answers in batch for key in _answer_file_keys(answers)}
    ids = [pk for pk, _number, _answers in batch]
    messages = MessageAttachment.objects.filter(message__dossier_id__in=ids)
    message_files = set(messages.values_list("file_id", flat=True))
    files: dict[int, list[DossierFile]] = {pk: [] for pk in ids}
    stored_files = DossierFile.objects.filter(dossier_id__in=ids).order_by("created_at", "pk")
    for stored in stored_files.only("pk", "dossier_id", "key", "content", "name", "size", "created_at"):
        if str(stored.key) in keys or stored.pk in message_files:
            files[stored.dossier_id].append(stored)
    return [stored for pk in ids for stored in files[pk]]


def attachments_zip_chunks(*, queryset: QuerySet[Dossier]) -> Iterator[bytes]:
    """A ZIP of the files of the dossiers of `queryset` (the instructor's selection, in its order), as
    bytes chunks: one folder per dossier named by its number, holding the files of its filed answers
    and of its messages. A file missing from the storage does not stop the others: it is listed in
    "fichiers-manquants.txt" at the end."""
    missing: list[str] = []

    def members():
        for batch in _batches(queryset):
            folders = {pk: str(number or gettext("brouillon-%(pk)s") % {"pk": pk}) for pk, number, _a in batch}
            taken: dict[int, set[str]] = {pk: set() for pk in folders}
            for stored in _batch_files(batch):
                folder = folders[stored.dossier_id]
                name = _unique(attachment_file_name(stored.name), taken[stored.dossier_id])
                try:
                    handle = stored.content.storage.open(stored.content.name, "rb")
                except OSError:
                    logger.warning("Attachments ZIP: file %s of dossier %s missing", stored.pk, folder)
                    missing.append(f"{folder}/{name}")
                    continue
                modified_at = timezone.localtime(stored.created_at).replace(tzinfo=None)
                yield f"{folder}/{name}", modified_at, 0o600, ZIP_AUTO(stored.size, level=1), _file_chunks(handle)
        if missing:
            text = gettext("Ces fichiers n’ont pas pu être lus ; demandez-les à l’usager :") + "\r\n"
            text += "".join(f"{name}\r\n" for name in missing)
            yield (
                gettext("fichiers-manquants.txt"),
                timezone.localtime().replace(tzinfo=None),
                0o600,
                ZIP_32,
                (text.encode(),),
            )

    # Level 1: attachments are mostly PDFs and photos, already compressed; no point spending the CPU.
    yield from stream_zip(
        members(), chunk_size=FILE_CHUNK, get_compressobj=lambda: zlib.compressobj(wbits=-zlib.MAX_WBITS, level=1)
    )
