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
import logging
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO

from django.db import transaction
from django.utils import timezone
from lxml import etree

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.documents.pdfa import NotAPdf, pdfa_identification
from guichet.dossiers.models import Dossier, DossierState

from .dossier_document import ANSWERS_PDF_VARIANT
from .manifest import SEDA_NS, manifest_build, manifest_errors, schema_refusal
from .package_contents import PackageInvalid, PackageObject, dossier_package_objects, package_name

logger = logging.getLogger(__name__)

MANIFEST = "manifest.xml"
CONTENT = "content"
CHUNK = 256 * 1024
# Beyond this, a ZIP entry needs ZIP64 fields, which must be announced before its data.
ZIP64_FROM = 2**31 - 1
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


@dataclass(frozen=True)
class PackageInfo:
    name: str  # the MessageIdentifier, also the package's file name without « .zip »
    sha512: str  # of the whole ZIP
    size: int  # of the whole ZIP, bytes
    objects: int  # binary data objects
    unit_ids: list[str] = field(default_factory=list)  # the manifest's ArchiveUnit ids, root first


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
            raise schema_refusal(errors)
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
                raise schema_refusal(errors)
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
