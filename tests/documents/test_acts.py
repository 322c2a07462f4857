"""Sealed acts: a submission gives the applicant a sealed receipt, a decision a sealed act; both
validate against the development authority, carry a QR code to their verification page, are
PDF/A, are attached to the emails and recorded in the audit trail."""

import io
import re
import shutil
import subprocess

import pytest
from django.core import mail
from django.urls import reverse

from guichet.connectors.seal_dev_authority.authority import dev_authority_ensure, dev_certificate_issue, dev_trust_roots
from guichet.core.models import AuditEvent
from guichet.documents.models import ActStatus
from guichet.documents.rendering import verification_url
from guichet.documents.services import act_issue
from guichet.dossiers.models import TransitionName
from tests.documents.conftest import pdf_of, pdf_text


def seal_status(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    (signature,) = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    context = ValidationContext(trust_roots=dev_trust_roots(), allow_fetching=False)
    return validate_pdf_signature(signature, context)


def one_byte_changed(data: bytes) -> bytes:
    """The same file with one byte of the act's first content stream changed (inside what the seal covers)."""
    position = data.index(b"stream", 200) + 40
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def test_submitting_gives_a_sealed_receipt_attached_to_the_email(draft, submit):
    act = submit(draft)
    act.refresh_from_db()
    assert act.status == ActStatus.ISSUED, act.last_error
    data = pdf_of(act)
    status = seal_status(data)
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE" and act.seal_level == "PAdES-B-B"
    text = pdf_text(data)
    assert "Accusé de réception" in text and draft.number in text and "1 place de la Mairie" in text
    assert "réputée acceptée" in text and "30 jours" in text  # the legal mentions of a receipt
    # The email carries the sealed receipt as it is stored.
    (email,) = mail.outbox
    assert draft.number in email.subject and act.code_display in email.body
    ((name, content, content_type),) = email.attachments
    assert content == data and content_type == "application/pdf" and name.endswith(".pdf")
    event = AuditEvent.objects.get(action="act.issue", object_id=str(act.pk))
    assert event.details["sha256"] == act.sha256 and event.actor is None


def test_accepting_gives_a_sealed_act_with_the_motivation(draft, submit, decide):
    submit(draft)
    act = decide(draft, TransitionName.ACCEPT, "Le projet respecte le règlement de végétalisation.")
    act.refresh_from_db()
    assert act.status == ActStatus.ISSUED, act.last_error
    data = pdf_of(act)
    assert seal_status(data).bottom_line
    text = pdf_text(data)
    assert "Décision d’acceptation" in text and "acceptée" in text
    assert "Le projet respecte le règlement de végétalisation." in text
    assert "Inès Truchot" in text  # the instructor who decided signs, for want of a signatory
    (email,) = mail.outbox
    assert "acceptée" in email.body and email.attachments[0][1] == data


def test_refusing_gives_a_refusal_letter_with_the_means_of_appeal(draft, submit, decide):
    submit(draft)
    act = decide(draft, TransitionName.REFUSE, "Le trottoir est trop étroit.")
    act.refresh_from_db()
    text = pdf_text(pdf_of(act))
    assert "Décision de refus" in text and "Le trottoir est trop étroit." in text and "tribunal administratif" in text


def test_one_byte_changed_breaks_the_seal(draft, submit):
    act = submit(draft)
    act.refresh_from_db()
    status = seal_status(one_byte_changed(pdf_of(act)))
    assert not status.intact and not status.bottom_line


def test_a_timestamped_seal_is_pades_b_t(draft, submit, settings):
    """With a timestamping authority (here pyHanko's in-process one, certified by the development
    authority), the seal carries an RFC 3161 timestamp that validates."""
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    authority, _ = dev_authority_ensure()
    certificate, key = dev_certificate_issue(authority, common_name="Horodatage de test", timestamping=True)
    timestamper = DummyTimeStamper(
        tsa_cert=x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
    )
    draft_act = submit(draft)
    draft_act.refresh_from_db()
    # Issue another act of the same dossier with the timestamper.
    from guichet.documents.models import Act
    from guichet.dossiers.models import ActKind

    act = Act.objects.create(dossier=draft, kind=ActKind.RECEIPT)
    act = act_issue(act_id=act.pk, timestamper=timestamper)
    assert act.seal_level == "PAdES-B-T"
    status = seal_status(pdf_of(act))
    assert status.bottom_line and status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid and status.timestamp_validity.trusted


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) n’est pas installé")
def test_pdfsig_validates_the_seal_and_sees_one_byte_changed(draft, submit, tmp_path):
    act = submit(draft)
    act.refresh_from_db()
    genuine, tampered = tmp_path / "acte.pdf", tmp_path / "modifie.pdf"
    genuine.write_bytes(pdf_of(act))
    tampered.write_bytes(one_byte_changed(pdf_of(act)))
    arguments = ["pdfsig"]
    if shutil.which("certutil"):
        # An NSS database that trusts the development authority, for pdfsig's certificate check.
        nss = tmp_path / "nss"
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)  # noqa: S603, S607
        authority, _ = dev_authority_ensure()
        subprocess.run(  # noqa: S603
            ["certutil", "-A", "-d", f"sql:{nss}", "-n", "ac-dev", "-t", "C,C,C", "-i", str(authority.ca_certificate)],  # noqa: S607
            check=True,
        )
        arguments += ["-nssdir", f"sql:{nss}"]
    output = subprocess.run([*arguments, str(genuine)], capture_output=True, text=True, check=False).stdout  # noqa: S603
    assert "Signature is Valid." in output and "Total document signed" in output
    if shutil.which("certutil"):
        assert "Certificate is Trusted." in output
    output = subprocess.run([*arguments, str(tampered)], capture_output=True, text=True, check=False).stdout  # noqa: S603
    assert "Signature is Valid." not in output


def test_the_qr_code_leads_to_the_act_verification_page(draft, submit):
    zxingcpp = pytest.importorskip("zxingcpp")
    from pypdf import PdfReader

    act = submit(draft)
    act.refresh_from_db()
    (image,) = PdfReader(io.BytesIO(pdf_of(act))).pages[0].images
    (barcode,) = zxingcpp.read_barcodes(image.image)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == verification_url(act.code)
    assert barcode.text.endswith(reverse("public:act_verify", args=[act.code]))


def test_the_act_is_pdf_a_and_tagged(draft, submit):
    from pypdf import PdfReader

    act = submit(draft)
    act.refresh_from_db()
    reader = PdfReader(io.BytesIO(pdf_of(act)))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    part = re.search(r"pdfaid:part(?:>|=\")(\d)", xmp)
    conformance = re.search(r"pdfaid:conformance(?:>|=\")([AB])", xmp)
    assert part and part.group(1) == "3" and conformance and conformance.group(1) == "A"
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root and root["/Lang"] == "fr"
    assert "/OutputIntents" in root
    assert reader.metadata.title.startswith("Accusé de réception")


def test_an_issued_act_never_changes(draft, submit):
    from guichet.core.models import AppendOnlyError
    from guichet.documents.models import Act

    act = submit(draft)
    act = Act.objects.get(pk=act.pk)
    act.title = "Autre chose"
    with pytest.raises(AppendOnlyError):
        act.save()
    with pytest.raises(AppendOnlyError):
        act.delete()
    # Issuing it again (a retried task) keeps it as it was.
    assert act_issue(act_id=act.pk).sha256 == Act.objects.get(pk=act.pk).sha256
    assert AuditEvent.objects.filter(action="act.issue", object_id=str(act.pk)).count() == 1
