"""PDF/A that is what it says (issue 17): every PDF that goes into an archive package (sealed
receipts and decisions, B-B and B-T, and the dossier PDF) declares PDF/A-3a in its XMP and is PDF 1.7
at most, in its header and in its catalog; the package builder's check (`pdfa_identification`) tells
a file that says one thing and is another."""

import io
import re
from datetime import UTC, datetime

import pytest

from guichet.documents.dossier_pdf import dossier_pdfa
from guichet.documents.pdfa import NotAPdf, PdfAIdentification, pdfa_identification
from guichet.documents.rendering import html_to_pdfa
from guichet.documents.seal import pdf_seal
from guichet.dossiers.models import TransitionName
from tests.documents.conftest import pdf_of, pdf_text
from tests.documents.test_acts import seal_status
from tests.factories import DossierFactory, ProcedureFactory

PDFA_3A = (3, "A")


def read_pdfa_claims(data: bytes) -> dict:
    """What a PDF says of itself, read apart from the product's reader (with pypdf): the header's
    version, the catalog's /Version (None when absent) and the XMP's pdfaid:part and conformance."""
    from pypdf import PdfReader

    header = re.match(rb"%PDF-(\d\.\d)", data).group(1).decode()
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    catalog = str(root["/Version"]).lstrip("/") if "/Version" in root else None
    xmp = root["/Metadata"].get_object().get_data().decode()
    part = re.search(r"pdfaid:part(?:>|=\")(\d)", xmp)
    conformance = re.search(r"pdfaid:conformance(?:>|=\")([A-Za-z])", xmp)
    return {
        "header": header,
        "catalog": catalog,
        "part": int(part.group(1)) if part else None,
        "conformance": conformance.group(1) if conformance else None,
    }


def assert_pdfa_agrees(data: bytes, expected=PDFA_3A) -> PdfAIdentification:
    """The header, the catalog's version and the XMP identification agree: the later of the header's
    and the catalog's version (ISO 32000-1, 7.7.2) is the one the declared part is built on (1.7 at
    most for part 3, 2.0 for part 4); and the product's reader says the same."""
    claims = read_pdfa_claims(data)
    effective = max(claims["header"], claims["catalog"] or "0.0")
    assert (claims["part"], claims["conformance"]) == expected, claims
    if claims["part"] == 4:
        assert effective == "2.0", claims
    else:
        assert effective <= "1.7", claims
    identification = pdfa_identification(data)
    assert identification == (claims["part"], claims["conformance"], tuple(int(n) for n in effective.split(".")))
    assert identification.agrees
    return identification


def with_catalog_version(data: bytes, version: tuple[int, int]) -> bytes:
    """The same PDF with an incremental update writing /Version in its catalog, as pyHanko's signer
    did for ECDSA keys before issue 17."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    writer.ensure_output_version(version)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


@pytest.fixture(scope="module")
def plain_pdfa():
    return html_to_pdfa('<html lang="fr"><head><title>Essai</title></head><p>Bonjour</p></html>')


def test_a_pdf_a_3_raised_to_pdf_2_0_by_its_catalog_is_told_apart(plain_pdfa):
    assert pdfa_identification(plain_pdfa) == PdfAIdentification(3, "A", (1, 7))
    raised = with_catalog_version(plain_pdfa, (2, 0))
    assert raised.startswith(b"%PDF-1.7")  # the header alone would hide it
    identification = pdfa_identification(raised)
    assert identification == (3, "A", (2, 0)) and not identification.agrees
    with pytest.raises(AssertionError):
        assert_pdfa_agrees(raised)
    # An earlier catalog version does not lower the header's.
    assert pdfa_identification(with_catalog_version(plain_pdfa, (1, 4))).effective_version == (1, 7)


def test_pdf_a_4_is_pdf_2_0():
    from weasyprint import HTML

    pdf = HTML(string='<html lang="fr"><p>Bonjour</p></html>').write_pdf(pdf_variant="pdf/a-4u")
    identification = pdfa_identification(pdf)
    assert identification.declared_part == 4 and identification.effective_version == (2, 0)
    assert identification.agrees and identification.version_text == "2.0"
    assert not PdfAIdentification(4, None, (1, 7)).agrees
    assert not PdfAIdentification(None, None, (1, 7)).agrees  # a PDF that declares no PDF/A part
    assert PdfAIdentification(1, "B", (1, 4)).agrees and not PdfAIdentification(1, "B", (1, 7)).agrees


def test_what_is_not_a_pdf_is_refused():
    with pytest.raises(NotAPdf):
        pdfa_identification(b"GIF89a")
    with pytest.raises(NotAPdf):
        pdfa_identification(b"%PDF-1.7\nnothing else")


def test_a_pdf_without_xmp_declares_no_part():
    from tests.samples import minimal_pdf

    identification = pdfa_identification(minimal_pdf())
    assert identification.declared_part is None and not identification.agrees


def test_a_seal_keeps_the_act_on_pdf_1_7(plain_pdfa):
    sealed = pdf_seal(plain_pdfa, signatory="Marie Curie, maire", use_settings_timestamper=False).pdf
    # The development seal is ECDSA P-256: pyHanko would declare ISO/TS 32002 and PDF 2.0.
    assert seal_status(sealed).signing_cert.public_key.algorithm == "ec"
    assert_pdfa_agrees(sealed)
    from pyhanko.pdf_utils.reader import PdfFileReader

    extensions = PdfFileReader(io.BytesIO(sealed)).root["/Extensions"]
    # PAdES on PDF 1.7 is declared by ETSI's ESIC extension, based on 1.7.
    assert set(extensions) == {"/ESIC"} and extensions["/ESIC"]["/BaseVersion"] == "/1.7"


def test_a_key_that_needs_pdf_2_0_is_refused_rather_than_mislabelled(plain_pdfa):
    from asn1crypto import keys, x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.signers import SimpleSigner

    key = ed25519.Ed25519PrivateKey.generate()
    name = cx509.Name([cx509.NameAttribute(cx509.oid.NameOID.COMMON_NAME, "Cachet Ed25519")])
    certificate = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2025, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2035, 1, 1, tzinfo=UTC))
        .sign(key, None)
    )
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = SimpleSigner(
        signing_cert=x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        signing_key=keys.PrivateKeyInfo.load(pkcs8),
        cert_registry=None,
    )
    with pytest.raises(SigningError, match="exige PDF 2.0"):
        pdf_seal(plain_pdfa, signatory="Essai", signer=signer, use_settings_timestamper=False)


def test_a_sealed_receipt_is_pdf_a_3a_on_pdf_1_7(draft, submit):
    act = submit(draft)
    act.refresh_from_db()
    data = pdf_of(act)
    assert act.seal_level == "PAdES-B-B" and seal_status(data).bottom_line
    assert_pdfa_agrees(data)


@pytest.mark.parametrize("timestamped", [False, True], ids=["PAdES-B-B", "PAdES-B-T"])
def test_a_sealed_decision_is_pdf_a_3a_on_pdf_1_7(draft, submit, decide, settings, request, timestamped):
    if timestamped:
        settings.GUICHET_SEAL_TSA_URL = request.getfixturevalue("tsa").url
    submit(draft)
    act = decide(draft, TransitionName.ACCEPT)
    act.refresh_from_db()
    data = pdf_of(act)
    assert act.seal_level == ("PAdES-B-T" if timestamped else "PAdES-B-B")
    status = seal_status(data)
    assert status.bottom_line and (status.timestamp_validity is not None) == timestamped
    assert_pdfa_agrees(data)


BLOCK_DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [
                {"id": "objet", "type": "text", "label": "Objet de la demande", "required": True},
                {"id": "association", "type": "yes_no", "label": "Déposez-vous au nom d’une association ?"},
                {"id": "rna", "type": "text", "label": "Numéro RNA",
                 "condition": {"all": [{"field": "association", "op": "eq", "value": True}]}},
                {"id": "terrain", "type": "section", "label": "Le terrain"},
                {"id": "parcelles", "type": "block", "label": "Parcelles cadastrales", "fields": [
                    {"id": "section", "type": "text", "label": "Section"},
                    {"id": "numero", "type": "integer", "label": "Numéro de parcelle"},
                ]},
                {"id": "accord", "type": "checkbox", "label": "J’accepte d’être recontacté"},
            ],
        },
        {
            "id": "association",
            "title": "Votre association",
            "condition": {"all": [{"field": "association", "op": "eq", "value": True}]},
            "fields": [{"id": "sigle", "type": "text", "label": "Sigle"}],
        },
    ]
}  # fmt: skip


def test_the_dossier_pdf_is_pdf_a_3a_tagged_with_its_answers_and_history(db):
    from pypdf import PdfReader

    procedure = ProcedureFactory(title="Permis de végétaliser", draft_definition=BLOCK_DEFINITION)
    answers = {
        "objet": "Un pied d’arbre rue des Lilas",
        "association": "non",
        "rna": "W123456789",  # answered, then hidden by the condition: not shown
        "parcelles": [{"section": "AB", "numero": "12"}, {"section": "AC", "numero": "7"}],
        "accord": "",
    }
    dossier = DossierFactory(procedure=procedure, answers=answers, in_instruction=True)
    data = dossier_pdfa(dossier, now=datetime(2030, 5, 6, 12, 30, tzinfo=UTC))
    assert_pdfa_agrees(data)
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root and root["/Lang"] == "fr"
    assert "/OutputIntents" in root
    text = pdf_text(data)
    assert f"Dossier n°{dossier.number}" in text and "Permis de végétaliser" in text
    assert "Un pied d’arbre rue des Lilas" in text and "Le terrain" in text
    assert "Ligne 1" in text and "AB" in text and "Ligne 2" in text and "AC" in text
    assert "J’accepte d’être recontacté Non" in text
    assert "Numéro RNA" not in text and "W123456789" not in text and "Votre association" not in text
    assert "Dossier déposé" in text and "en cours d’instruction" in text  # the history
    assert "document édité le 06/05/2030" in text
    assert "Identité du demandeur" in text and dossier.applicant.email in text
