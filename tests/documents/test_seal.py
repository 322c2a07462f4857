"""Where the seal's key comes from: the development authority (created once, by `make run`), a
PKCS#12 file or a PKCS#11 token (an HSM, SoftHSM here) in production, and never the development one
where production forbids it."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from guichet.connectors.base import _signer_loaded
from guichet.connectors.registry import connector_for
from guichet.connectors.seal_dev_authority.authority import DEV_PKCS12_PASSWORD, dev_authority_ensure
from guichet.documents.models import Act, ActStatus
from guichet.documents.seal import pdf_seal
from guichet.documents.services import act_generation_failed, act_issue
from guichet.dossiers.models import ActKind
from tests.connectors.timestamping.stand_in import BAD_REQUEST, GRANTED
from tests.documents.test_acts import seal_status


def test_the_development_authority_is_created_once(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    output = io.StringIO()
    call_command("acts_dev_ca", stdout=output)
    assert "créés" in output.getvalue()
    authority, created = dev_authority_ensure()
    assert not created and authority.directory == tmp_path / "seal"
    first = authority.seal_pkcs12.read_bytes()
    call_command("acts_dev_ca", stdout=io.StringIO())
    assert authority.seal_pkcs12.read_bytes() == first  # kept, not replaced
    assert oct(authority.ca_key.stat().st_mode)[-3:] == "600"


def test_production_seals_with_its_pkcs12_file(draft, submit, settings, tmp_path):
    # The development seal stands in for the administration's file: any PKCS#12 loads the same way.
    authority, _ = dev_authority_ensure()
    production = tmp_path / "cachet-production.p12"
    production.write_bytes(authority.seal_pkcs12.read_bytes())
    settings.GUICHET_SEAL_PKCS12_PATH = str(production)
    settings.GUICHET_SEAL_PKCS12_PASSWORD = DEV_PKCS12_PASSWORD.decode()
    settings.GUICHET_SEAL_DEV_CA = False
    act = submit(draft)
    act.refresh_from_db()
    assert act.status == ActStatus.ISSUED, act.last_error
    with act.pdf.open("rb") as stored:
        assert seal_status(stored.read()).bottom_line


SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture
def softhsm_token(tmp_path, monkeypatch):
    """A SoftHSM token « guichet » (user PIN 1234) holding the development seal's key and
    certificate under the label « cachet », as an administration's HSM would."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not Path(SOFTHSM_MODULE).exists():
        pytest.skip(f"SoftHSM is not installed ({SOFTHSM_MODULE}; Debian: softhsm2 opensc)")
    softhsm2_util, pkcs11_tool = shutil.which("softhsm2-util"), shutil.which("pkcs11-tool")
    if softhsm2_util is None or pkcs11_tool is None:
        pytest.skip("softhsm2-util or pkcs11-tool is missing (Debian: softhsm2 opensc)")
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))

    def run(*command):
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (fixed commands)

    run(softhsm2_util, "--init-token", "--free", "--label", "guichet", "--pin", "1234", "--so-pin", "5678")
    authority, _ = dev_authority_ensure()
    key, certificate, _ = pkcs12.load_key_and_certificates(authority.seal_pkcs12.read_bytes(), DEV_PKCS12_PASSWORD)
    key_file, certificate_file = tmp_path / "cachet.key.der", tmp_path / "cachet.crt.der"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    for path, kind in ((key_file, "privkey"), (certificate_file, "cert")):
        run(
            pkcs11_tool, "--module", SOFTHSM_MODULE, "--token-label", "guichet", "--login", "--pin", "1234",
            "--write-object", str(path), "--type", kind, "--label", "cachet", "--id", "01",
        )  # fmt: skip
    return certificate


def test_production_seals_with_its_hsm_key(draft, submit, settings, softhsm_token):
    settings.GUICHET_SEAL_PKCS11_MODULE = SOFTHSM_MODULE
    settings.GUICHET_SEAL_PKCS11_TOKEN = "guichet"
    settings.GUICHET_SEAL_PKCS11_KEY_LABEL = "cachet"
    settings.GUICHET_SEAL_PKCS11_PIN = "1234"
    settings.GUICHET_SEAL_DEV_CA = False
    try:
        act = submit(draft)
        act.refresh_from_db()
        assert act.status == ActStatus.ISSUED, act.last_error
        with act.pdf.open("rb") as stored:
            status = seal_status(stored.read())
        assert status.bottom_line and status.intact and status.valid and status.trusted
        # Sealed by the token's certificate, not by a key loaded from elsewhere.
        assert status.signing_cert.serial_number == softhsm_token.serial_number
        # The signer is kept per process with its session open: close it before the token goes.
        connector_for("seal").signer().pkcs11_session.close()
    finally:
        _signer_loaded.cache_clear()


def test_production_without_a_certificate_fails_clearly(draft, submit, settings, retries_run):
    settings.GUICHET_SEAL_DEV_CA = False
    act = submit(draft)
    retries_run()
    act.refresh_from_db()
    assert act.status == ActStatus.FAILED and "Aucun certificat de cachet n’est configuré" in act.last_error


def test_acts_are_timestamped_by_the_configured_authority(draft, submit, settings, tsa):
    settings.GUICHET_SEAL_TSA_URL = tsa.url
    act = submit(draft)
    act.refresh_from_db()
    assert act.status == ActStatus.ISSUED, act.last_error
    assert act.seal_level == "PAdES-B-T" and tsa.answered and set(tsa.answered) == {GRANTED}
    with act.pdf.open("rb") as stored:
        status = seal_status(stored.read())
    assert status.bottom_line and status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid and status.timestamp_validity.trusted


def test_an_authority_refusing_to_timestamp_leaves_the_act_failed_with_its_reason(
    draft, submit, settings, tsa, retries_run
):
    settings.GUICHET_SEAL_TSA_URL = tsa.url
    tsa.script = [BAD_REQUEST] * 3  # each generation asks once: a refusal is not asked again
    act = submit(draft)
    retries_run()
    act.refresh_from_db()
    assert act.status == ActStatus.FAILED and act.attempts == 3
    assert "ConnectorRejected : L’autorité d’horodatage a refusé la demande : HTTP 400" in act.last_error
    assert tsa.answered == [BAD_REQUEST] * 3


def _keys_under(value, seen=None) -> set[str]:
    """Every dictionary key reachable from a PDF object (pyHanko's generic objects)."""
    from pyhanko.pdf_utils import generic

    seen = set() if seen is None else seen
    if isinstance(value, generic.IndirectObject):
        if value.idnum in seen:
            return set()
        seen.add(value.idnum)
        value = value.get_object()
    keys = set()
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(str(key))
            if key != "/Parent":
                keys |= _keys_under(item, seen)
    elif isinstance(value, list):
        for item in value:
            keys |= _keys_under(item, seen)
    return keys


def test_the_visible_block_is_drawn_with_an_embedded_font(db):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from guichet.documents.rendering import html_to_pdfa

    pdf = html_to_pdfa("<p>Bonjour</p>")
    sealed = pdf_seal(pdf, signatory="Marie Curie, maire (100 %)", use_settings_timestamper=False)
    assert sealed.level == "PAdES-B-B" and seal_status(sealed.pdf).bottom_line
    reader = PdfFileReader(io.BytesIO(sealed.pdf))
    (field,) = reader.root["/AcroForm"]["/Fields"]
    keys = _keys_under(field.get_object()["/AP"])
    # PDF/A wants every font embedded: the block's text uses a font program carried in the file.
    assert "/FontFile2" in keys or "/FontFile3" in keys


def test_the_organisations_logo_is_in_the_act(draft, submit):
    from django.core.files.base import ContentFile
    from PIL import Image
    from pypdf import PdfReader

    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), "#000091").save(buffer, "PNG")
    organisation = draft.procedure.organisation
    organisation.logo.save("logo.png", ContentFile(buffer.getvalue()))
    act = submit(draft)
    with act.pdf.open("rb") as stored:
        images = PdfReader(io.BytesIO(stored.read())).pages[0].images
    assert len(images) == 2  # the logo and the QR code
    assert Path(organisation.logo.name).suffix == ".png"


def test_a_failure_recorded_after_the_act_was_issued_changes_nothing(draft, submit):
    act = submit(draft)
    act = act_generation_failed(act_id=act.pk, error=RuntimeError("trop tard"), given_up=True)
    assert act.status == ActStatus.ISSUED and act.last_error == ""
    other = Act.objects.create(dossier=draft, kind=ActKind.RECEIPT)
    assert act_issue(act_id=other.pk).code != act.code


@pytest.mark.parametrize("raw", ["abcd-efgh-jkmn", " ABCD EFGH JKMN ", "ABCDEFGHJKMN"])
def test_codes_are_read_as_people_type_them(raw):
    from guichet.documents.selectors import code_normalise

    assert code_normalise(raw) == "ABCDEFGHJKMN"
    assert code_normalise("ABCD-EFGH-JKM") is None
