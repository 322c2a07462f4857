"""Archive packages (SIP, SEDA 2.2): every finished dossier's package holds its filed answers, files,
acts, transition log and messages, with sizes and SHA-512 digests; its manifest validates against
the official SEDA 2.2 schemas (and Vitam's stricter variant), checked here against the reference
copies beside the repository, never against the product's own; a tampered package is refused with
a clear message."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from lxml import etree

from guichet.archives.manifest import SCHEMA_DIR, SEDA_NS, schema_load
from guichet.archives.packages import PackageInvalid, package_check, package_write
from guichet.core.models import AuditAction, AuditEvent
from guichet.documents.models import Act, ActStatus
from guichet.dossiers.models import Dossier, DossierFile, DossierState
from guichet.procedures.models import FinalFate, Procedure
from tests.archives.conftest import PDF_BYTES
from tests.factories import DossierFactory
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
NS = {"s": SEDA_NS}


@pytest.fixture(scope="module")
def reference_schemas():
    """The official SIAF set and Vitam's stricter variant, from the shared reference folder."""
    return {name: schema_load(REFERENCE / name) for name in ("seda-2.2-siaf", "seda-2.2")}


def built(dossier: Dossier, **kwargs) -> tuple[bytes, object]:
    out = io.BytesIO()
    info = package_write(dossier=dossier, out=out, **kwargs)
    return out.getvalue(), info


def manifest_of(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("manifest.xml"))


def rezipped(data: bytes, *, manifest=None, replace: dict[str, bytes] | None = None) -> io.BytesIO:
    """The package with its manifest (an lxml element) or some members replaced."""
    replace = dict(replace or {})
    if manifest is not None:
        replace["manifest.xml"] = etree.tostring(manifest, xml_declaration=True, encoding="UTF-8")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
    return out


@pytest.mark.slow
def test_a_decided_dossiers_package_holds_everything_filed_and_validates(decided, reference_schemas):
    data, info = built(decided, attempt=2)

    assert info.name == f"GUICHET-{decided.number}-2"
    assert info.size == len(data) and info.sha512 == hashlib.sha512(data).hexdigest()
    manifest = manifest_of(data)
    for name, schema in reference_schemas.items():
        assert schema.validate(manifest), (name, [str(error) for error in schema.error_log][:5])
    assert manifest.findtext("s:MessageIdentifier", namespaces=NS) == info.name

    binaries = manifest.findall(".//s:BinaryDataObject", NS)
    titles = [unit.findtext("s:Content/s:Title", namespaces=NS) for unit in manifest.iterfind(".//s:ArchiveUnit", NS)]
    # Answers as PDF/A and JSON, the attachment, the message's file, two acts, the log, the messages.
    assert info.objects == len(binaries) == 8
    assert titles[0] == f"Dossier n° {decided.number} — Permis de végétaliser"
    assert info.unit_ids == ["AU-dossier", *[f"AU-{n}" for n in range(1, 9)]]
    assert "Pièce jointe : facture électricité.pdf" in titles and "Pièce jointe : plan.png" in titles
    assert sum(title.startswith(("Accusé de réception", "Décision d’acceptation")) for title in titles) == 2

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for binary in binaries:
            content = archive.read(binary.findtext("s:Uri", namespaces=NS))
            assert binary.findtext("s:MessageDigest", namespaces=NS) == hashlib.sha512(content).hexdigest()
            assert binary.find("s:MessageDigest", NS).get("algorithm") == "SHA-512"
            assert int(binary.findtext("s:Size", namespaces=NS)) == len(content)
        by_name = {b.findtext("s:FileInfo/s:Filename", namespaces=NS): b for b in binaries}
        attachment = by_name["facture électricité.pdf"]
        assert archive.read(attachment.findtext("s:Uri", namespaces=NS)) == PDF_BYTES
        answers_pdf = by_name[f"dossier-{decided.number}-reponses.pdf"]
        assert archive.read(answers_pdf.findtext("s:Uri", namespaces=NS)).startswith(b"%PDF-")
        assert answers_pdf.findtext("s:FormatIdentification/s:FormatId", namespaces=NS) == "fmt/479"  # PDF/A-3a
        answers = json.loads(
            archive.read(by_name[f"dossier-{decided.number}-reponses.json"].findtext("s:Uri", namespaces=NS))
        )
        assert answers["dépôts"][0]["réponses"]["objet"] == "Bac à fleurs devant le 12 rue des Lilas"
        log = json.loads(
            archive.read(by_name[f"dossier-{decided.number}-journal.json"].findtext("s:Uri", namespaces=NS))
        )
        assert [step["transition"] for step in log["changements d’état"]] == ["submit", "start_instruction", "accept"]
        messages = json.loads(
            archive.read(by_name[f"dossier-{decided.number}-messages.json"].findtext("s:Uri", namespaces=NS))
        )
        note = by_name["plan.png"].findtext("s:Uri", namespaces=NS)
        assert messages["messages"][0]["pièces jointes"] == [{"nom": "plan.png", "fichier": note}]
    # A PNG's PRONOM id depends on its version: declared by its MIME type only.
    assert by_name["plan.png"].find("s:FormatIdentification/s:FormatId", NS) is None
    assert by_name["plan.png"].findtext("s:FormatIdentification/s:MimeType", namespaces=NS) == "image/png"

    root = manifest.find(".//s:DescriptiveMetadata/s:ArchiveUnit", NS)
    appraisal = root.find("s:Management/s:AppraisalRule", NS)
    assert appraisal.findtext("s:Rule", namespaces=NS) == "APP-10A"
    assert appraisal.findtext("s:FinalAction", namespaces=NS) == "Keep"  # « trier »: transferred, sorted there
    assert root.findtext("s:Management/s:AccessRule/s:Rule", namespaces=NS) == "AR038"
    assert root.findtext("s:Content/s:EndDate", namespaces=NS) == timezone.localdate(decided.decided_at).isoformat()
    organisation = decided.procedure.organisation
    assert manifest.findtext("s:ArchivalAgency/s:Identifier", namespaces=NS) == organisation.siret
    assert package_check(io.BytesIO(data)) == info


def test_the_packages_settings_come_from_the_procedure(decided):
    Procedure.objects.filter(pk=decided.procedure_id).update(
        final_fate=FinalFate.DESTROY,
        archival_agreement="IC-000042",
        originating_agency="FRAN_NP_050001",
        submission_agency="FRAN_NP_050002",
        archival_profile="PR-000007",
        access_rule="AR033",
    )
    decided.refresh_from_db()
    manifest = manifest_of(built(decided)[0])
    assert manifest.findtext("s:ArchivalAgreement", namespaces=NS) == "IC-000042"
    assert manifest.findtext(".//s:AppraisalRule/s:FinalAction", namespaces=NS) == "Destroy"
    assert manifest.findtext(".//s:AccessRule/s:Rule", namespaces=NS) == "AR033"
    assert manifest.findtext(".//s:ManagementMetadata/s:ArchivalProfile", namespaces=NS) == "PR-000007"
    assert manifest.findtext(".//s:Content/s:OriginatingAgency/s:Identifier", namespaces=NS) == "FRAN_NP_050001"
    assert manifest.findtext("s:TransferringAgency/s:Identifier", namespaces=NS) == "FRAN_NP_050002"


def test_a_package_missing_a_digest_is_refused_before_it_leaves(decided):
    data, _info = built(decided)
    manifest = manifest_of(data)
    digest = manifest.find(".//s:BinaryDataObject/s:MessageDigest", NS)
    digest.getparent().remove(digest)
    with pytest.raises(PackageInvalid) as refused:
        package_check(rezipped(data, manifest=manifest))
    assert refused.value.message.startswith("L’objet BDO-1 (content/BDO-1.pdf) n’a pas d’empreinte")


def test_a_package_with_a_broken_reference_is_refused(decided, tmp_path):
    data, _info = built(decided)
    manifest = manifest_of(data)
    manifest.find(".//s:BinaryDataObject[@id='BDO-3']/s:Uri", NS).text = "content/introuvable.pdf"
    path = tmp_path / "paquet.zip"
    path.write_bytes(rezipped(data, manifest=manifest).getvalue())
    with pytest.raises(PackageInvalid) as refused:
        package_check(path)
    assert refused.value.message == (
        "Le fichier « content/introuvable.pdf » de l’objet BDO-3, cité dans le bordereau, est absent du paquet."
    )


def test_a_package_whose_file_was_altered_or_whose_manifest_breaks_the_schema_is_refused(decided):
    data, _info = built(decided)
    with pytest.raises(PackageInvalid, match="ne correspond pas à son empreinte SHA-512"):
        package_check(rezipped(data, replace={"content/BDO-3.pdf": PDF_BYTES.replace(b"domicile", b"Domicile")}))
    manifest = manifest_of(data)
    manifest.find(".//s:AppraisalRule/s:FinalAction", NS).text = "Trier"
    with pytest.raises(PackageInvalid, match=r"^Le bordereau \(manifest.xml\) n’est pas conforme au schéma SEDA 2.2"):
        package_check(rezipped(data, manifest=manifest))


def test_a_stored_file_altered_since_it_was_received_stops_the_package(decided, private_disk):
    stored = DossierFile.objects.get(dossier=decided, name="facture électricité.pdf")
    (private_disk / stored.content.name).write_bytes(PDF_BYTES + b"ajout")
    with pytest.raises(PackageInvalid, match="ne correspond plus à l’empreinte enregistrée à sa réception"):
        built(decided)


def test_only_finished_dossiers_are_packaged():
    dossier = DossierFactory(in_instruction=True)
    with pytest.raises(PackageInvalid, match="n’est pas terminé"):
        built(dossier)


def test_the_command_writes_the_package_and_records_it(decided, tmp_path, reference_schemas):
    target = tmp_path / "sip.zip"
    out = io.StringIO()
    call_command("archives_package", decided.number, "-o", str(target), stdout=out)

    info = package_check(target)
    assert info.name == f"GUICHET-{decided.number}-1" and info.sha512 in out.getvalue()
    event = AuditEvent.objects.get(action=AuditAction.ARCHIVE_PACKAGE_BUILD)
    assert event.actor is None and event.details["sha512"] == info.sha512 and event.details["objects"] == 8


def test_the_command_says_clearly_what_it_cannot_do(tmp_path):
    with pytest.raises(CommandError, match="Aucun dossier ne porte le numéro 1999-000001"):
        call_command("archives_package", "1999-000001", "-o", str(tmp_path / "sip.zip"))
    dossier = DossierFactory(submitted=True)
    with pytest.raises(CommandError, match="n’est pas terminé"):
        call_command("archives_package", dossier.number, "-o", str(tmp_path / "sip.zip"))
    assert not (tmp_path / "sip.zip").exists()


@pytest.mark.slow
def test_every_demo_procedures_package_validates_against_the_seda_schemas(demo, reference_schemas):
    procedures = Procedure.objects.filter(dossiers__state__in=DossierState.decided()).distinct()
    assert procedures.count() >= 3
    for procedure in procedures:
        dossier = procedure.dossiers.filter(state__in=DossierState.decided()).order_by("pk").first()
        data, info = built(dossier)
        manifest = manifest_of(data)
        for name, schema in reference_schemas.items():
            assert schema.validate(manifest), (procedure.slug, name, [str(e) for e in schema.error_log][:5])
        assert package_check(io.BytesIO(data)) == info


def test_the_runtime_schemas_are_the_official_ones():
    """The product ships the SIAF set as is (its README says where from), and only what it needs."""
    shipped = {path.name for path in SCHEMA_DIR.glob("*.xsd")}
    official = REFERENCE / "seda-2.2-siaf"
    assert shipped == {path.name for path in official.glob("*.xsd")}
    for name in shipped:
        assert (SCHEMA_DIR / name).read_bytes() == (official / name).read_bytes(), name


def test_an_act_that_is_not_the_pdfa_it_declares_stops_the_package(decided, private_disk):
    act = decided.acts.filter(status=ActStatus.ISSUED).first()
    plain = minimal_pdf()  # a plain PDF, no PDF/A identification: the package would call it PDF/A-3a
    act.pdf.storage.delete(act.pdf.name)
    act.pdf.storage.save(act.pdf.name, ContentFile(plain))
    Act.objects.filter(pk=act.pk).update(sha256=hashlib.sha256(plain).hexdigest(), size=len(plain))
    with pytest.raises(PackageInvalid, match="se déclare PDF/A-\\? sur PDF .* et non PDF/A-3 conforme"):
        built(decided)
