"""The development certificate authority: an authority (ECDSA P-384) and a seal certificate
(P-256) made with `cryptography` under var/seal/, for development and tests only. Created on first use
or ahead by `manage.py acts_dev_ca` (from `make run`)."""

import datetime as dt
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DEV_PKCS12_PASSWORD = b"guichet-developpement"  # noqa: S105 (a development certificate, never a secret)


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


def dev_trust_roots() -> list:
    """The development authority's certificate, for validating seals made with it (asn1crypto)."""
    from asn1crypto import pem, x509  # noqa: PLC0415

    authority, _ = dev_authority_ensure()
    _, _, der = pem.unarmor(authority.ca_certificate.read_bytes())
    return [x509.Certificate.load(der)]
