"""A dossier's archive package (SIP, SEDA 2.2): a ZIP holding `manifest.xml`, an `ArchiveTransfer`
message, and under `content/` the binaries: the filed answers as PDF/A and as JSON, each attachment
filed, each act issued, the transition log and the messages (JSON).

Binaries are streamed from storage into the ZIP one after the other (SHA-512 computed while copying),
so building a package holds one chunk of one file at a time, whatever the dossier's size. The ZIP is
written forwards only (entries deflated, sizes in data descriptors): the package's own SHA-512 is
known when the last byte is written, and `out` need not be seekable.

The manifest is validated against the official SEDA 2.2 schemas (schemas/, loaded once per process)
before it is written: a package that fails, or whose binaries no longer match the digests stored when
they were received, is never produced (PackageInvalid, with a message for the archivist).
`package_check` re-reads a built package before it leaves: schema, every Uri, size and digest."""

import hashlib
import json
import logging
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from lxml import etree

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.documents.models import Act, ActStatus
from guichet.documents.pdfa import NotAPdf, pdfa_identification
from guichet.dossiers.files import answer_file_items
from guichet.dossiers.models import Dossier, DossierFile, DossierSnapshot, DossierState, Message, TransitionLog
from guichet.procedures.models import FinalFate, Procedure

from .dossier_document import ANSWERS_PDF_VARIANT, dossier_answers_pdfa
from .models import DossierRetention
from .retention import retention_start

logger = logging.getLogger(__name__)

SEDA_NS = "fr:gouv:culture:archivesdefrance:seda:v2.2"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
MANIFEST = "manifest.xml"
CONTENT = "content"
CHUNK = 256 * 1024
# Beyond this, a ZIP entry needs ZIP64 fields, which must be announced before its data.
ZIP64_FROM = 2**31 - 1

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
EXTENSIONS = {
    "application/pdf": "pdf",
    "application/json": "json",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/zip": "zip",
}

# SEDA 2.2 has two final actions after the DUA. « Trier » means that the archives service sorts the
# dossiers once transferred, keeping some: they are transferred, so « Keep » (destroying them would
# forbid the sorting); the sorting is the archives service's, after the transfer.
FINAL_ACTIONS = {FinalFate.KEEP: "Keep", FinalFate.SORT: "Keep", FinalFate.DESTROY: "Destroy"}


class PackageInvalid(Exception):
    """A package that must not leave: its message says why, in French, for the archivist."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PackageInfo:
    name: str  # the MessageIdentifier, also the package's file name without « .zip »
    sha512: str  # of the whole ZIP
    size: int  # of the whole ZIP, bytes
    objects: int  # binary data objects
    unit_ids: list[str] = field(default_factory=list)  # the manifest's ArchiveUnit ids, root first


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


def _moment(value: datetime | None) -> str | None:
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
    messages = Message.objects.filter(dossier=dossier, attachment__isnull=False)
    attached = set(messages.values_list("attachment_id", flat=True))
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
            "déposé le": _moment(dossier.submitted_at),
            "décidé le": _moment(dossier.decided_at),
            "identité du demandeur": dossier.identity,
            "dépôts": [
                {
                    "nature": snapshot.get_kind_display(),
                    "déposé le": _moment(snapshot.created_at),
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
                    "le": _moment(log.at),
                    "transition": log.transition,
                    "libellé": log.get_transition_display(),
                    "de": log.from_state,
                    "vers": log.to_state,
                    "en qualité de": log.get_actor_role_display(),
                    "auteur": log.actor.get_full_name() if log.actor else "",
                    "motivation": log.motivation,
                }
                for log in logs
            ],
        }
    )


def _messages_json(dossier: Dossier, uris: dict[int, str]) -> bytes:
    messages = Message.objects.filter(dossier=dossier).select_related("author", "attachment")
    messages = messages.order_by("created_at", "pk")
    return _json_bytes(
        {
            "dossier": dossier.number,
            "messages": [
                {
                    "le": _moment(message.created_at),
                    "en qualité de": message.get_author_role_display(),
                    "auteur": message.author.get_full_name() if message.author else message.author_label,
                    "message": message.body,
                    "pièce jointe": (
                        {"nom": message.attachment.name, "fichier": uris.get(message.attachment_id, "")}
                        if message.attachment
                        else None
                    ),
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


# ---------------------------------------------------------------------------------------------
# Who and which rules


@dataclass(frozen=True)
class PackageParties:
    archival_agreement: str
    archival_agency: str
    transferring_agency: str
    originating_agency: str
    submission_agency: str


def package_parties(procedure: Procedure) -> PackageParties:
    """The identifiers the package declares, from the procedure's archiving settings. Where one is
    not set, the organisation's SIRET stands for it (the archives service replaces it by its own
    reference in its ingest contract); the archival agency, which no procedure setting names, comes
    from GUICHET_ARCHIVES_ARCHIVAL_AGENCY, else the same SIRET."""
    siret = procedure.organisation.siret
    originating = procedure.originating_agency or siret
    submission = procedure.submission_agency or originating
    return PackageParties(
        archival_agreement=procedure.archival_agreement,
        archival_agency=settings.GUICHET_ARCHIVES_ARCHIVAL_AGENCY or siret,
        transferring_agency=submission,
        originating_agency=originating,
        submission_agency=submission,
    )


def appraisal_rule_code(procedure: Procedure) -> str:
    """The appraisal rule's code in the archival system's referential, from the DUA in years
    (GUICHET_ARCHIVES_APPRAISAL_RULE, a pattern with `{years}`; « APP-{years}A » by default)."""
    pattern = settings.GUICHET_ARCHIVES_APPRAISAL_RULE or "APP-{years}A"
    return pattern.format(years=procedure.retention_years)


# ---------------------------------------------------------------------------------------------
# The manifest


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{SEDA_NS}}}{tag}", attributes)
    if text is not None:
        element.text = str(text)  # labels are lazy translations
    return element


def _day(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def manifest_build(
    *, dossier: Dossier, objects: list[PackageObject], name: str, now: datetime
) -> tuple[etree._Element, list[str]]:
    """The ArchiveTransfer for a dossier whose binaries are copied (each object has its uri, digest
    and size); and its ArchiveUnit ids, the dossier's first."""
    procedure = dossier.procedure
    organisation = procedure.organisation
    parties = package_parties(procedure)
    root = etree.Element(f"{{{SEDA_NS}}}ArchiveTransfer", nsmap={None: SEDA_NS})
    _sub(root, "Comment", f"Dossier n°{dossier.number} — {procedure.title} ({settings.GUICHET_PLATFORM_NAME})")
    _sub(root, "Date", _moment(now))
    _sub(root, "MessageIdentifier", name)
    if parties.archival_agreement:
        _sub(root, "ArchivalAgreement", parties.archival_agreement)
    codes = _sub(root, "CodeListVersions")
    _sub(codes, "ReplyCodeListVersion", "ReplyCodeListVersion0")
    _sub(codes, "MessageDigestAlgorithmCodeListVersion", "MessageDigestAlgorithmCodeListVersion0")
    _sub(codes, "MimeTypeCodeListVersion", "MimeTypeCodeListVersion0")
    _sub(codes, "FileFormatCodeListVersion", "FileFormatCodeListVersion0")
    _sub(codes, "AppraisalRuleCodeListVersion", "AppraisalRuleCodeListVersion0")
    _sub(codes, "AccessRuleCodeListVersion", "AccessRuleCodeListVersion0")

    package = _sub(root, "DataObjectPackage")
    for index, item in enumerate(objects, start=1):
        group = _sub(package, "DataObjectGroup", id=f"DOG-{index}")
        binary = _sub(group, "BinaryDataObject", id=f"BDO-{index}")
        _sub(binary, "DataObjectVersion", "BinaryMaster_1")
        _sub(binary, "Uri", item.uri)
        _sub(binary, "MessageDigest", item.sha512, algorithm="SHA-512")
        _sub(binary, "Size", str(item.size))
        identification = _sub(binary, "FormatIdentification")
        if item.format_id:
            _sub(identification, "FormatLitteral", item.format_id[0])
        _sub(identification, "MimeType", item.mime_type)
        if item.format_id:
            _sub(identification, "FormatId", item.format_id[1])
        info = _sub(binary, "FileInfo")
        _sub(info, "Filename", item.filename)
        if item.created:
            _sub(info, "LastModified", _moment(item.created))

    descriptive = _sub(package, "DescriptiveMetadata")
    unit_ids = ["AU-dossier"]
    unit = _sub(descriptive, "ArchiveUnit", id=unit_ids[0])
    management = _sub(unit, "Management")
    appraisal = _sub(management, "AppraisalRule")
    _sub(appraisal, "Rule", appraisal_rule_code(procedure))
    starts_on = _appraisal_start(dossier, procedure)
    if starts_on:
        _sub(appraisal, "StartDate", starts_on.isoformat())
    _sub(appraisal, "FinalAction", FINAL_ACTIONS.get(FinalFate(procedure.final_fate), "Keep"))
    access = _sub(management, "AccessRule")
    _sub(access, "Rule", procedure.access_rule)
    end = dossier.decided_at or dossier.last_transition_at
    if end:
        _sub(access, "StartDate", _day(end))

    content = _sub(unit, "Content")
    _sub(content, "DescriptionLevel", "File")
    _sub(content, "Title", f"Dossier n° {dossier.number} — {procedure.title}")
    _sub(content, "OriginatingSystemId", dossier.number)
    _sub(content, "Description", _dossier_description(dossier))
    _sub(content, "DocumentType", "Dossier de démarche en ligne")
    _sub(content, "Language", "fr")
    _sub(content, "DescriptionLanguage", "fr")
    _sub(content, "Status", DossierState(dossier.state).label)
    for text, kind in (
        (procedure.title, "subject"),
        (DossierState(dossier.state).label, "subject"),
        (organisation.name, "corpname"),
    ):
        keyword = _sub(content, "Keyword")
        _sub(keyword, "KeywordContent", text)
        _sub(keyword, "KeywordType", kind)
    _sub(_sub(content, "OriginatingAgency"), "Identifier", parties.originating_agency)
    _sub(_sub(content, "SubmissionAgency"), "Identifier", parties.submission_agency)
    if dossier.submitted_at:
        _sub(content, "StartDate", _day(dossier.submitted_at))
    if end:
        _sub(content, "EndDate", _day(end))

    for index, item in enumerate(objects, start=1):
        child_id = f"AU-{index}"
        unit_ids.append(child_id)
        child = _sub(unit, "ArchiveUnit", id=child_id)
        child_content = _sub(child, "Content")
        _sub(child_content, "DescriptionLevel", "Item")
        _sub(child_content, "Title", item.title)
        if item.description:
            _sub(child_content, "Description", item.description)
        _sub(child_content, "DocumentType", item.document_type)
        if item.created:
            _sub(child_content, "CreatedDate", _moment(item.created))
        reference = _sub(child, "DataObjectReference")
        _sub(reference, "DataObjectGroupReferenceId", f"DOG-{index}")

    metadata = _sub(package, "ManagementMetadata")
    if procedure.archival_profile:
        _sub(metadata, "ArchivalProfile", procedure.archival_profile)
    _sub(metadata, "AcquisitionInformation", "Versement")
    _sub(metadata, "LegalStatus", "Public Archive")
    _sub(metadata, "OriginatingAgencyIdentifier", parties.originating_agency)
    _sub(metadata, "SubmissionAgencyIdentifier", parties.submission_agency)

    _sub(_sub(root, "ArchivalAgency"), "Identifier", parties.archival_agency)
    _sub(_sub(root, "TransferringAgency"), "Identifier", parties.transferring_agency)
    return root, unit_ids


def _appraisal_start(dossier: Dossier, procedure: Procedure) -> date | None:
    retention = DossierRetention.objects.filter(dossier=dossier).only("starts_on").first()
    return retention.starts_on if retention else retention_start(dossier, procedure)


def _dossier_description(dossier: Dossier) -> str:
    procedure = dossier.procedure
    text = (
        f"Dossier déposé en ligne sur {settings.GUICHET_PLATFORM_NAME} pour la démarche « {procedure.title} » "
        f"de {procedure.organisation.name}"
    )
    if dossier.submitted_at:
        text += f", le {timezone.localdate(dossier.submitted_at):%d/%m/%Y}"
    text += f". État final : {DossierState(dossier.state).label.lower()}"
    end = dossier.decided_at or dossier.last_transition_at
    if end:
        text += f" le {timezone.localdate(end):%d/%m/%Y}"
    return text + "."


# ---------------------------------------------------------------------------------------------
# Validation


@cache
def seda_schema() -> etree.XMLSchema:
    """The SEDA 2.2 schema (SIAF), once per process: loading it takes a noticeable time."""
    return schema_load(SCHEMA_DIR)


def schema_load(folder: Path) -> etree.XMLSchema:
    """A SEDA 2.2 schema set from a folder (its `seda-2.2-main.xsd`), never from the network."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(folder / "seda-2.2-main.xsd"), parser))


def manifest_errors(document: etree._Element | etree._ElementTree, schema: etree.XMLSchema | None = None) -> list[str]:
    """The schema's complaints about a manifest (empty when valid), each with its line."""
    schema = schema or seda_schema()
    if schema.validate(document):
        return []
    return [f"ligne {error.line} : {error.message}" for error in schema.error_log]


def _schema_refusal(errors: list[str]) -> PackageInvalid:
    shown = "; ".join(errors[:3]) + (f" (et {len(errors) - 3} autre(s))" if len(errors) > 3 else "")
    return PackageInvalid(f"Le bordereau (manifest.xml) n’est pas conforme au schéma SEDA 2.2 : {shown}.")


# ---------------------------------------------------------------------------------------------
# Writing


class _ForwardWriter:
    """`out` seen as a stream that is only ever appended to (no tell, no seek: zipfile then writes
    data descriptors), counting and hashing what goes through."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.digest = hashlib.sha512()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.out.write(data)
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def _copy(archive: zipfile.ZipFile, item: PackageObject, uri: str, when: datetime) -> None:
    info = zipfile.ZipInfo(uri, date_time=timezone.localtime(when).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    sha512, sha256, size = hashlib.sha512(), hashlib.sha256(), 0
    large = (item.expected_size or 0) >= ZIP64_FROM
    kept = bytearray() if item.declares_pdfa else None
    try:
        with item.opener() as source, archive.open(info, "w", force_zip64=large) as target:
            while chunk := source.read(CHUNK):
                sha512.update(chunk)
                sha256.update(chunk)
                size += len(chunk)
                target.write(chunk)
                if kept is not None:
                    kept += chunk
    except FileNotFoundError as error:
        raise PackageInvalid(
            f"« {item.filename} » est introuvable dans le stockage : le paquet ne peut être construit."
        ) from error
    if item.expected_sha256 and sha256.hexdigest() != item.expected_sha256.lower():
        raise PackageInvalid(
            f"« {item.filename} » ne correspond plus à l’empreinte enregistrée à sa réception : le fichier stocké a "
            "été altéré, le paquet n’est pas construit."
        )
    if item.expected_size is not None and size != item.expected_size:
        raise PackageInvalid(f"« {item.filename} » n’a plus la taille enregistrée à sa réception ({size} octets lus).")
    if kept is not None:
        _pdfa_check(item, bytes(kept))
    item.uri, item.sha512, item.size = uri, sha512.hexdigest(), size


def _pdfa_check(item: PackageObject, data: bytes) -> None:
    """Archives check formats: a PDF declared PDF/A-3 must be PDF/A-3 on PDF 1.7 (header, catalog
    version and XMP identification in agreement), else the package would lie about it."""
    try:
        found = pdfa_identification(data)
    except NotAPdf as error:
        raise PackageInvalid(f"« {item.filename} » devrait être un PDF/A et n’est pas un PDF lisible.") from error
    declared = int(ANSWERS_PDF_VARIANT.split("-")[-1][0])
    if found.declared_part != declared or not found.agrees:
        raise PackageInvalid(
            f"« {item.filename} » se déclare PDF/A-{found.declared_part or '?'} sur PDF {found.version_text}, "
            f"et non PDF/A-{declared} conforme : le paquet n’est pas construit."
        )


def package_write(*, dossier: Dossier, out: BinaryIO, attempt: int = 1, now: datetime | None = None) -> PackageInfo:
    """Write the archive package of a finished dossier to `out` (written forwards only); its
    description. PackageInvalid (nothing usable written) when the dossier is not finished, a stored
    binary no longer matches its digest, or the manifest fails the SEDA 2.2 schema. `attempt` numbers
    the transfers of one dossier: the MessageIdentifier is stable for a dossier and an attempt."""
    if dossier.state not in DossierState.finished() or not dossier.number:
        raise PackageInvalid(
            f"Le dossier {dossier} n’est pas terminé ({dossier.get_state_display().lower()}) : seul un dossier décidé "
            "ou retiré peut être archivé."
        )
    now = now or timezone.now()
    name = package_name(dossier, attempt)
    objects = dossier_package_objects(dossier)
    writer = _ForwardWriter(out)
    with zipfile.ZipFile(writer, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        for index, item in enumerate(objects, start=1):
            extension = EXTENSIONS.get(item.mime_type, "bin")
            _copy(archive, item, f"{CONTENT}/BDO-{index}.{extension}", item.created or now)
        manifest, unit_ids = manifest_build(dossier=dossier, objects=objects, name=name, now=now)
        if errors := manifest_errors(manifest):
            raise _schema_refusal(errors)
        info = zipfile.ZipInfo(MANIFEST, date_time=timezone.localtime(now).timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, etree.tostring(manifest, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    out.flush()
    return PackageInfo(
        name=name, sha512=writer.digest.hexdigest(), size=writer.size, objects=len(objects), unit_ids=unit_ids
    )


def package_build(*, dossier: Dossier, out: BinaryIO, actor, attempt: int = 1) -> PackageInfo:
    """package_write, recorded in the audit trail (ARCHIVE_PACKAGE_BUILD): by the archivist who asked
    for it, or by the platform (`actor` None) when a transfer builds it."""
    package = package_write(dossier=dossier, out=out, attempt=attempt)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.ARCHIVE_PACKAGE_BUILD,
            target=dossier,
            details={"name": package.name, "sha512": package.sha512, "size": package.size, "objects": package.objects},
        )
    return package


# ---------------------------------------------------------------------------------------------
# Checking before it leaves


def package_check(package: str | Path | BinaryIO) -> PackageInfo:
    """Re-read a built package (a path or a readable, seekable binary file): its manifest against
    the SEDA 2.2 schema, then every data object: a SHA-512 digest declared, its Uri present in the
    ZIP, its size and digest those declared. PackageInvalid with the first problem found, else the
    package's description."""
    with _package_open(package) as stream:
        whole = hashlib.sha512()
        size = 0
        while chunk := stream.read(CHUNK):
            whole.update(chunk)
            size += len(chunk)
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
        except zipfile.BadZipFile as error:
            raise PackageInvalid("Le paquet n’est pas une archive ZIP lisible.") from error
        with archive:
            names = set(archive.namelist())
            if MANIFEST not in names:
                raise PackageInvalid("Le paquet ne contient pas de bordereau (manifest.xml).")
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            try:
                manifest = etree.fromstring(archive.read(MANIFEST), parser)
            except etree.XMLSyntaxError as error:
                raise PackageInvalid(f"Le bordereau (manifest.xml) n’est pas un XML lisible : {error}.") from error
            # The objects first: a missing digest or file is said as such, not as the schema's words.
            ns = {"s": SEDA_NS}
            binaries = manifest.findall(".//s:BinaryDataObject", ns)
            for binary in binaries:
                _binary_check(archive, names, binary, ns)
            if errors := manifest_errors(manifest):
                raise _schema_refusal(errors)
    return PackageInfo(
        name=manifest.findtext("s:MessageIdentifier", namespaces=ns) or "",
        sha512=whole.hexdigest(),
        size=size,
        objects=len(binaries),
        unit_ids=[unit.get("id") for unit in manifest.iter(f"{{{SEDA_NS}}}ArchiveUnit")],
    )


def _binary_check(archive: zipfile.ZipFile, names: set[str], binary: etree._Element, ns: dict) -> None:
    ident = binary.get("id")
    uri = binary.findtext("s:Uri", namespaces=ns)
    digest = binary.find("s:MessageDigest", ns)
    if not uri:
        raise PackageInvalid(f"L’objet {ident} du bordereau n’indique pas où se trouve son fichier (Uri).")
    if digest is None or not (digest.text or "").strip():
        raise PackageInvalid(f"L’objet {ident} ({uri}) n’a pas d’empreinte : le paquet ne peut pas être versé.")
    if digest.get("algorithm") != "SHA-512":
        raise PackageInvalid(
            f"L’empreinte de l’objet {ident} ({uri}) n’est pas calculée en SHA-512 (« {digest.get('algorithm')} »)."
        )
    if uri not in names:
        raise PackageInvalid(f"Le fichier « {uri} » de l’objet {ident}, cité dans le bordereau, est absent du paquet.")
    declared_size = binary.findtext("s:Size", namespaces=ns)
    computed, size = hashlib.sha512(), 0
    with archive.open(uri) as member:
        while chunk := member.read(CHUNK):
            computed.update(chunk)
            size += len(chunk)
    if declared_size is not None and int(declared_size) != size:
        raise PackageInvalid(
            f"Le fichier « {uri} » mesure {size} octets, le bordereau en annonce {declared_size} : "
            "le paquet est altéré."
        )
    if computed.hexdigest() != digest.text.strip().lower():
        raise PackageInvalid(
            f"Le fichier « {uri} » ne correspond pas à son empreinte SHA-512 dans le bordereau : le paquet est altéré."
        )


@contextmanager
def _package_open(package: str | Path | BinaryIO) -> Iterator[IO[bytes]]:
    if isinstance(package, str | Path):
        try:
            stream = open(package, "rb")  # noqa: SIM115 (closed below)
        except FileNotFoundError as error:
            raise PackageInvalid(f"Le paquet « {package} » est introuvable.") from error
        with stream:
            yield stream
    else:
        package.seek(0)
        yield package
