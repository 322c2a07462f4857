"""The archive package's manifest (`ArchiveTransfer`, SEDA 2.2): who sends it and under which rules
(the procedure's retention settings), its archive units and data objects, and its validation against
the official SEDA 2.2 schemas shipped in schemas/ (loaded once per process)."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from lxml import etree

from guichet.dossiers.models import Dossier, DossierState
from guichet.procedures.models import FinalFate, Procedure

from .models import DossierRetention
from .package_contents import PackageInvalid, PackageObject, seda_moment
from .retention import retention_start

SEDA_NS = "fr:gouv:culture:archivesdefrance:seda:v2.2"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

# SEDA 2.2 has two final actions after the DUA. « Trier » means that the archives service sorts the
# dossiers once transferred, keeping some: they are transferred, so « Keep » (destroying them would
# forbid the sorting); the sorting is the archives service's, after the transfer.
FINAL_ACTIONS = {FinalFate.KEEP: "Keep", FinalFate.SORT: "Keep", FinalFate.DESTROY: "Destroy"}


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
    _sub(root, "Date", seda_moment(now))
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
            _sub(info, "LastModified", seda_moment(item.created))

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
            _sub(child_content, "CreatedDate", seda_moment(item.created))
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


def schema_refusal(errors: list[str]) -> PackageInvalid:
    shown = "; ".join(errors[:3]) + (f" (et {len(errors) - 3} autre(s))" if len(errors) > 3 else "")
    return PackageInvalid(f"Le bordereau (manifest.xml) n’est pas conforme au schéma SEDA 2.2 : {shown}.")
