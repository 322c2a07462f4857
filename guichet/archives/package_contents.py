"""What goes into a dossier's archive package (packages.py): each binary described as a
`PackageObject` (title, file name, MIME type, PRONOM id, how to open it, the digest stored when it was
received), and the JSON documents made for the package (answers as filed, transition log, messages)."""

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import IO, Any

from django.utils import timezone

from guichet.documents.models import Act, ActStatus
from guichet.dossiers.files import answer_file_items
from guichet.dossiers.models import Dossier, DossierFile, DossierSnapshot, Message, MessageAttachment, TransitionLog

from .dossier_document import ANSWERS_PDF_VARIANT, dossier_answers_pdfa

logger = logging.getLogger(__name__)

# PRONOM identifiers (The National Archives' registry, which Vitam's format identification uses) of
# the formats Guichet writes itself, and of the uploaded types that have one identifier whatever
# their version. Others (PDF, whose PUID depends on its version and on a PDF/A claim; JPEG and PNG,
# by version) are declared by their MIME type only: the archival system identifies them, and a
# wrong PUID would be worse than none.
PDFA_PRONOM = {
    "pdf/a-1a": "fmt/95",
    "pdf/a-1b": "fmt/354",
    "pdf/a-2a": "fmt/476",
    "pdf/a-2b": "fmt/477",
    "pdf/a-2u": "fmt/478",
    "pdf/a-3a": "fmt/479",
    "pdf/a-3b": "fmt/480",
    "pdf/a-3u": "fmt/481",
    "pdf/a-4": "fmt/1910",
}
UPLOAD_PRONOM = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "Microsoft Word for Windows 2007 onwards",
        "fmt/412",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("Microsoft Excel 2007 onwards", "fmt/214"),
    "application/zip": ("ZIP Format", "x-fmt/263"),
}
JSON_FORMAT = ("JSON Data Interchange Format", "fmt/817")


class PackageInvalid(Exception):
    """A package that must not leave: its message says why, in French, for the archivist."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class PackageObject:
    """One binary of the package and the archive unit that describes it."""

    document_type: str  # « Réponses déposées », « Pièce jointe »…
    title: str
    filename: str  # as shown to people (FileInfo/Filename)
    mime_type: str
    opener: Callable[[], Any]  # a context manager giving a binary stream
    created: datetime | None = None
    description: str = ""
    format_id: tuple[str, str] | None = None  # (FormatLitteral, PRONOM id)
    expected_sha256: str = ""  # what was stored when it was received: checked while copying
    expected_size: int | None = None
    # A PDF declared PDF/A (format_id): its bytes must be what they declare (checked while copying;
    # such PDFs are made by Guichet and small: acts, the answers).
    declares_pdfa: bool = False
    # Filled while copying.
    uri: str = ""
    sha512: str = ""
    size: int = 0


@contextmanager
def _bytes_opener(data: bytes) -> Iterator[IO[bytes]]:
    yield BytesIO(data)


def _storage_opener(field_file) -> Callable[[], Any]:
    storage, name = field_file.storage, field_file.name
    return lambda: storage.open(name, "rb")


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str).encode()


def seda_moment(value: datetime | None) -> str | None:
    """A moment as SEDA writes it: local time without offset, to the second (Vitam's examples)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------
# What goes in


def package_name(dossier: Dossier, attempt: int) -> str:
    """The MessageIdentifier: stable for one dossier and one attempt, a plain file name."""
    return f"GUICHET-{dossier.number}-{attempt}"


def dossier_filed_files(dossier: Dossier) -> list[DossierFile]:
    """The files the dossier's filed answers (every filing) and its messages refer to, oldest first;
    a draft's leftovers are not part of the record."""
    keys: set[str] = set()
    for answers in DossierSnapshot.objects.filter(dossier=dossier).values_list("answers", flat=True):
        keys.update(str(item.get("key")) for item in answer_file_items(answers))
    attached = set(MessageAttachment.objects.filter(message__dossier=dossier).values_list("file_id", flat=True))
    files = [
        stored
        for stored in DossierFile.objects.filter(dossier=dossier).order_by("created_at", "pk")
        if str(stored.key) in keys or stored.pk in attached
    ]
    missing = keys - {str(stored.key) for stored in files}
    if missing:
        # Demo and imported dossiers may name files that were never uploaded: nothing to archive.
        logger.warning("Dossier %s: %d file(s) named in its answers are not stored", dossier.number, len(missing))
    return files


def _answers_json(dossier: Dossier, snapshots: list[DossierSnapshot]) -> bytes:
    procedure = dossier.procedure
    return _json_bytes(
        {
            "dossier": dossier.number,
            "démarche": procedure.title,
            "organisation": procedure.organisation.name,
            "état": dossier.get_state_display(),
            "déposé le": seda_moment(dossier.submitted_at),
            "décidé le": seda_moment(dossier.decided_at),
            "identité du demandeur": dossier.identity,
            "dépôts": [
                {
                    "nature": snapshot.get_kind_display(),
                    "déposé le": seda_moment(snapshot.created_at),
                    "version du formulaire": snapshot.version.number,
                    "champs modifiés": snapshot.changed_fields,
                    "réponses": snapshot.answers,
                    "formulaire": snapshot.version.definition,
                }
                for snapshot in snapshots
            ],
        }
    )


def _transitions_json(dossier: Dossier) -> bytes:
    logs = TransitionLog.objects.filter(dossier=dossier).select_related("actor").order_by("at", "pk")
    return _json_bytes(
        {
            "dossier": dossier.number,
            "changements d’état": [
                {
                    "le": seda_moment(log.at),
                    "transition": log.transition,
                    "libellé": log.get_transition_display(),
                    "de": log.from_state,
                    "vers": log.to_state,
                    "en qualité de": log.get_actor_role_display(),
                    "auteur": log.actor.get_full_name() if log.actor else log.actor_label,
                    "motivation": log.motivation,
                }
                for log in logs
            ],
        }
    )


def _messages_json(dossier: Dossier, uris: dict[int, str]) -> bytes:
    messages = Message.objects.filter(dossier=dossier).select_related("author").prefetch_related("attachments__file")
    messages = messages.order_by("created_at", "pk")
    return _json_bytes(
        {
            "dossier": dossier.number,
            "messages": [
                {
                    "le": seda_moment(message.created_at),
                    "en qualité de": message.get_author_role_display(),
                    "auteur": message.author.get_full_name() if message.author else message.author_label,
                    "message": message.body,
                    "pièces jointes": [{"nom": file.name, "fichier": uris.get(file.pk, "")} for file in message.files],
                }
                for message in messages
            ],
        }
    )


def dossier_package_objects(dossier: Dossier) -> list[PackageObject]:
    """The binaries of a dossier's package, in the order they are written. The JSON documents and the
    answers' PDF/A are made here (small); stored files are opened only when copied."""
    snapshots = list(
        DossierSnapshot.objects.filter(dossier=dossier).select_related("version").order_by("created_at", "pk")
    )
    if not snapshots:
        raise PackageInvalid(f"Le dossier n°{dossier.number} n’a aucune réponse déposée : il n’y a rien à archiver.")
    latest = snapshots[-1]
    number = dossier.number
    objects = [
        PackageObject(
            document_type="Réponses déposées",
            title=f"Réponses déposées du dossier n°{number} (PDF/A)",
            description="Les réponses du formulaire telles que déposées en dernier, mises en page.",
            filename=f"dossier-{number}-reponses.pdf",
            mime_type="application/pdf",
            format_id=_pdfa_format(ANSWERS_PDF_VARIANT),
            declares_pdfa=True,
            opener=lambda: _bytes_opener(dossier_answers_pdfa(dossier, latest)),
            created=latest.created_at,
        ),
        PackageObject(
            document_type="Réponses déposées",
            title=f"Réponses déposées du dossier n°{number} (JSON)",
            description="Chaque dépôt du dossier (dépôt initial, corrections) : ses réponses et le formulaire auquel "
            "elles répondent.",
            filename=f"dossier-{number}-reponses.json",
            mime_type="application/json",
            format_id=JSON_FORMAT,
            opener=lambda: _bytes_opener(_answers_json(dossier, snapshots)),
            created=latest.created_at,
        ),
    ]
    files = dossier_filed_files(dossier)
    for stored in files:
        kind = UPLOAD_PRONOM.get(stored.content_type)
        objects.append(
            PackageObject(
                document_type="Pièce jointe",
                title=f"Pièce jointe : {stored.name}",
                filename=stored.name,
                mime_type=stored.content_type,
                format_id=kind,
                opener=_storage_opener(stored.content),
                created=stored.created_at,
                expected_sha256=stored.sha256,
                expected_size=stored.size,
            )
        )
    for act in Act.objects.filter(dossier=dossier, status=ActStatus.ISSUED).order_by("issued_at", "pk"):
        objects.append(
            PackageObject(
                document_type="Acte",
                title=f"{act.get_kind_display()} ({act.code_display})",
                description=f"{act.title} — acte scellé, émis par {act.issuer}.",
                filename=act.file_name,
                mime_type="application/pdf",
                format_id=_pdfa_format(ANSWERS_PDF_VARIANT),
                declares_pdfa=True,
                opener=_storage_opener(act.pdf),
                created=act.issued_at,
                expected_sha256=act.sha256,
                expected_size=act.size,
            )
        )
    objects.append(
        PackageObject(
            document_type="Journal des changements d’état",
            title=f"Journal des changements d’état du dossier n°{number}",
            description="Chaque changement d’état : quand, de quel état vers quel autre, par qui et pourquoi.",
            filename=f"dossier-{number}-journal.json",
            mime_type="application/json",
            format_id=JSON_FORMAT,
            opener=lambda: _bytes_opener(_transitions_json(dossier)),
            created=dossier.last_transition_at,
        )
    )
    # The messages name their attachments' places in the package: known once the files are placed.
    file_objects = dict(zip((stored.pk for stored in files), objects[2 : 2 + len(files)], strict=True))
    objects.append(
        PackageObject(
            document_type="Messagerie",
            title=f"Messages échangés sur le dossier n°{number}",
            description="Les messages entre l’usager et les instructeurs, avec le nom de leurs pièces jointes.",
            filename=f"dossier-{number}-messages.json",
            mime_type="application/json",
            format_id=JSON_FORMAT,
            opener=lambda: _bytes_opener(_messages_json(dossier, {pk: o.uri for pk, o in file_objects.items()})),
            created=dossier.last_transition_at,
        )
    )
    return objects


def _pdfa_format(variant: str) -> tuple[str, str] | None:
    puid = PDFA_PRONOM.get(variant.lower())
    if puid is None:
        return None
    part = variant.split("/")[-1].upper()
    return (f"Acrobat PDF/A - Portable Document Format {part[2:]}", puid)
