"""The electronic seal of acts: a PAdES signature made with pyHanko.

The key comes from settings: a PKCS#12 file (`GUICHET_SEAL_PKCS12_PATH`) or a PKCS#11 token, an
HSM (`GUICHET_SEAL_PKCS11_MODULE`). Without either, and only where `GUICHET_SEAL_DEV_CA` allows it
(development, tests), a development certificate authority and its seal certificate are created under
`var/seal/` on first use (`manage.py acts_dev_ca` does it ahead, from `make run`). With a
timestamping authority (`GUICHET_SEAL_TSA_URL`), the seal is PAdES B-T (RFC 3161 timestamp), else
PAdES B-B. See docs/decisions/0010-sealed-acts.md."""

import asyncio
import datetime as dt
import io
import os
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEV_PKCS12_PASSWORD = b"guichet-developpement"  # noqa: S105 (a development certificate, never a secret)
SEAL_FIELD = "Cachet"
# The visible block, on the last page, in the bottom margin that the layout keeps free on the right
# (documents/templates/documents/act.html): x1, y1, x2, y2 in points from the bottom left of A4.
SEAL_BOX = (318, 26, 566, 112)


class SealUnavailable(ImproperlyConfigured):
    """No seal is configured where the development one is not allowed."""


# --- The development certificate authority ---------------------------------------------------------


@dataclass(frozen=True)
class DevAuthority:
    directory: Path

    @property
    def ca_certificate(self) -> Path:
        return self.directory / "ac-developpement.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ac-developpement.key"

    @property
    def seal_pkcs12(self) -> Path:
        return self.directory / "cachet.p12"


def dev_directory() -> Path:
    return Path(settings.VAR_DIR) / "seal"


_dev_lock = threading.Lock()


def dev_authority_ensure(directory: Path | None = None) -> tuple[DevAuthority, bool]:
    """The development authority under `directory` (var/seal/ by default), created when missing.
    Returns it and whether it was created now. Safe when several processes start at once: it is
    written in a folder of its own and moved into place in one step."""
    authority = DevAuthority(directory or dev_directory())
    with _dev_lock:
        if authority.seal_pkcs12.exists():
            return authority, False
        authority.directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".seal-", dir=authority.directory.parent))
        try:
            _dev_authority_write(staging)
            try:
                os.rename(staging, authority.directory)
            except OSError:  # another process won the race: keep its authority
                if not authority.seal_pkcs12.exists():
                    raise
                return authority, False
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return authority, True


def _name(common_name: str):
    from cryptography import x509  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.GUICHET_PLATFORM_NAME),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Développement — ne pas utiliser en production"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, signing: bool):
    from cryptography import x509  # noqa: PLC0415

    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def dev_certificate_issue(authority: DevAuthority, *, common_name: str, timestamping: bool = False):
    """A certificate issued by the development authority, and its key: the seal's (ECDSA P-256),
    or a timestamping authority's (RSA, as pyHanko's in-process TSA of the tests wants)."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: PLC0415
    from cryptography.x509.oid import ExtendedKeyUsageOID  # noqa: PLC0415

    ca_certificate = x509.load_pem_x509_certificate(authority.ca_certificate.read_bytes())
    ca_key = serialization.load_pem_private_key(authority.ca_key.read_bytes(), password=None)
    key = rsa.generate_private_key(65537, 2048) if timestamping else ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if timestamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(ca_key, hashes.SHA256()), key


def _dev_authority_write(directory: Path) -> None:
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: PLC0415

    ca_key = ec.generate_private_key(ec.SECP384R1())
    name = _name("Autorité de certification de développement")
    now = dt.datetime.now(dt.UTC)
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=10 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA384())
    )
    authority = DevAuthority(directory)
    authority.ca_certificate.write_bytes(ca_certificate.public_bytes(serialization.Encoding.PEM))
    authority.ca_key.write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    authority.ca_key.chmod(0o600)
    certificate, key = dev_certificate_issue(authority, common_name=f"Cachet de {settings.GUICHET_PLATFORM_NAME}")
    authority.seal_pkcs12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"cachet",
            key,
            certificate,
            [ca_certificate],
            serialization.BestAvailableEncryption(DEV_PKCS12_PASSWORD),
        )
    )
    authority.seal_pkcs12.chmod(0o600)


# --- The signer --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealConfig:
    pkcs12_path: str
    pkcs12_password: str
    pkcs11_module: str
    pkcs11_token: str
    pkcs11_key_label: str
    pkcs11_cert_label: str
    pkcs11_pin: str
    dev_ca_allowed: bool
    tsa_url: str


def seal_config() -> SealConfig:
    return SealConfig(
        pkcs12_path=settings.GUICHET_SEAL_PKCS12_PATH,
        pkcs12_password=settings.GUICHET_SEAL_PKCS12_PASSWORD,
        pkcs11_module=settings.GUICHET_SEAL_PKCS11_MODULE,
        pkcs11_token=settings.GUICHET_SEAL_PKCS11_TOKEN,
        pkcs11_key_label=settings.GUICHET_SEAL_PKCS11_KEY_LABEL,
        pkcs11_cert_label=settings.GUICHET_SEAL_PKCS11_CERT_LABEL or settings.GUICHET_SEAL_PKCS11_KEY_LABEL,
        pkcs11_pin=settings.GUICHET_SEAL_PKCS11_PIN,
        dev_ca_allowed=settings.GUICHET_SEAL_DEV_CA,
        tsa_url=settings.GUICHET_SEAL_TSA_URL,
    )


def seal_signer():
    """The pyHanko signer named by the settings; loaded once per process (a PKCS#11 session stays open)."""
    return _signer_for(seal_config(), str(dev_directory()))


@cache
def _signer_for(config: SealConfig, dev_dir: str):
    from pyhanko.sign import signers  # noqa: PLC0415

    if config.pkcs11_module:
        # python-pkcs11 is needed only here: installed where an HSM is used (README).
        from pyhanko.config.pkcs11 import TokenCriteria  # noqa: PLC0415
        from pyhanko.sign import pkcs11  # noqa: PLC0415

        session = pkcs11.open_pkcs11_session(
            config.pkcs11_module,
            token_criteria=TokenCriteria(label=config.pkcs11_token or None),
            user_pin=config.pkcs11_pin or None,
        )
        labels = {"cert_label": config.pkcs11_cert_label, "key_label": config.pkcs11_key_label}
        signer = pkcs11.PKCS11Signer(session, **labels)
        if not _token_hashes(session, signer.signing_cert.public_key.algorithm):
            # Such tokens (SoftHSM 2 for ECDSA, some HSMs) only sign a digest: pyHanko hashes first.
            signer = pkcs11.PKCS11Signer(session, use_raw_mechanism=True, **labels)
        return signer
    if config.pkcs12_path:
        signer = signers.SimpleSigner.load_pkcs12(
            config.pkcs12_path, passphrase=config.pkcs12_password.encode() or None
        )
        if signer is None:
            raise SealUnavailable(f"Le fichier PKCS#12 du cachet ne peut pas être lu : {config.pkcs12_path}")
        return signer
    if not config.dev_ca_allowed:
        raise SealUnavailable(
            "Aucun certificat de cachet n’est configuré (GUICHET_SEAL_PKCS12_PATH ou GUICHET_SEAL_PKCS11_MODULE)."
        )
    authority, _ = dev_authority_ensure(Path(dev_dir))
    return signers.SimpleSigner.load_pkcs12(str(authority.seal_pkcs12), passphrase=DEV_PKCS12_PASSWORD)


def _token_hashes(session, key_algorithm: str) -> bool:
    """Whether the token offers the hash-and-sign mechanism (SHA-256, as `pdf_seal` asks) for the
    seal's key: ECDSA or RSA PKCS#1 v1.5. Other keys are left to pyHanko's defaults."""
    from pkcs11 import Mechanism  # noqa: PLC0415

    mechanism = {"ec": Mechanism.ECDSA_SHA256, "rsa": Mechanism.SHA256_RSA_PKCS}.get(key_algorithm)
    return mechanism is None or mechanism in session.token.slot.get_mechanisms()


def seal_timestamper():
    """The RFC 3161 timestamping authority of the settings, or None (the seal is then PAdES B-B)."""
    url = settings.GUICHET_SEAL_TSA_URL
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper  # noqa: PLC0415

    return HTTPTimeStamper(url, timeout=settings.GUICHET_SEAL_TSA_TIMEOUT)


# --- Sealing ---------------------------------------------------------------------------------------------


_STAMP_CHARACTERS = (
    list(range(0x20, 0x7F))
    + list(range(0xA0, 0x180))
    + [0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x202F]
)
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


@cache
def _stamp_font_path() -> str | None:
    """A small copy of a system font with the characters of French, for the visible block: PDF/A
    wants every font embedded, and embedding the whole of DejaVu in every act would cost time."""
    source = next((path for path in _FONT_CANDIDATES if Path(path).exists()), None)
    if source is None:
        return None
    target = Path(settings.VAR_DIR) / "seal-font" / f"{Path(source).stem}-cachet-1000.ttf"
    if not target.exists():
        from fontTools import subset  # noqa: PLC0415 (a dependency of WeasyPrint)
        from fontTools.ttLib import TTFont  # noqa: PLC0415

        options = subset.Options()
        # Plain text in one size: no layout, math or hinting tables, which pyHanko would otherwise
        # read again for every act.
        options.drop_tables += ["FFTM", "MATH", "GSUB", "GPOS", "GDEF", "kern", "fpgm", "prep", "cvt "]
        options.layout_features = []
        options.hinting = False
        font = TTFont(source)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_STAMP_CHARACTERS)
        subsetter.subset(font)
        # pyHanko writes the glyphs' widths in font units where PDF wants thousandths of an em:
        # right only for fonts of 1000 units per em (DejaVu has 2048), so scale the copy.
        from fontTools.ttLib.scaleUpem import scale_upem  # noqa: PLC0415

        scale_upem(font, 1000)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(partial))
        os.replace(partial, target)
    return str(target)


@cache
def _stamp_font_factory():
    """pyHanko's font factory for the block, reading the font from memory (its own opens the file
    for every act and leaves it open)."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory  # noqa: PLC0415

    path = _stamp_font_path()
    if path is None:
        return None
    data = Path(path).read_bytes()

    class InMemoryFontFactory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(data),
                font_size=self.font_size,
                ot_script_tag=self.ot_script_tag,
                ot_language_tag=self.ot_language_tag,
                writing_direction=self.writing_direction,
                bcp47_lang_code=self.bcp47_lang_code,
                obj_stream=obj_stream,
            )

    return InMemoryFontFactory(path)


@dataclass(frozen=True)
class Sealed:
    pdf: bytes
    level: str  # "PAdES-B-B" or "PAdES-B-T"


def pdf_seal(
    pdf: bytes, *, signatory: str, signer=None, timestamper=None, use_settings_timestamper: bool = True
) -> Sealed:
    """Seal a PDF: a PAdES signature in an incremental update, with a visible block on the last
    page naming the signatory and the date. With a timestamper (the settings' TSA by default), the
    signature carries an RFC 3161 timestamp (PAdES B-T)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415
    from pyhanko.pdf_utils.text import TextBoxStyle  # noqa: PLC0415
    from pyhanko.sign import fields, signers  # noqa: PLC0415
    from pyhanko.stamp import TextStampStyle  # noqa: PLC0415

    signer = signer or seal_signer()
    if timestamper is None and use_settings_timestamper:
        timestamper = seal_timestamper()
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=f"Cachet électronique — {signatory}"[:200],
        location="France",
    )
    font = _stamp_font_factory()
    text_box = TextBoxStyle(font=font, font_size=8) if font is not None else None
    style = TextStampStyle(
        stamp_text=(
            "Cachet électronique de l’administration\n"
            f"{_stamp_escape(signatory)}\n"
            "Scellé le %(ts)s\n"
            "Certificat : %(signer)s"
        ),
        timestamp_format="%d/%m/%Y à %H:%M:%S (UTC%z)",
        border_width=1,
        **({"text_box_style": text_box} if text_box else {}),
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(SEAL_FIELD, on_page=-1, box=SEAL_BOX),
    )
    output = io.BytesIO()
    _outside_event_loop(
        lambda: pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), output=output)
    )
    return Sealed(pdf=output.getvalue(), level="PAdES-B-T" if timestamper is not None else "PAdES-B-B")


def _outside_event_loop(function):
    """pyHanko's synchronous API runs its own event loop: where one already runs (an ASGI server, a
    test driving a browser), it signs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function).result()


def _stamp_escape(text: str) -> str:
    # The stamp's text is a %-format string: a signatory's "%" must stay a "%".
    return " ".join(text.split()).replace("%", "%%")


def dev_trust_roots() -> list:
    """The development authority's certificate, for validating seals made with it (asn1crypto)."""
    from asn1crypto import pem, x509  # noqa: PLC0415

    authority, _ = dev_authority_ensure()
    _, _, der = pem.unarmor(authority.ca_certificate.read_bytes())
    return [x509.Certificate.load(der)]
