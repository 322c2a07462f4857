"""The seal's key in a PKCS#11 token: an HSM, a smart card (SoftHSM in the tests). Settings:
GUICHET_SEAL_PKCS11_MODULE (the vendor's library), GUICHET_SEAL_PKCS11_TOKEN (the token's label),
GUICHET_SEAL_PKCS11_KEY_LABEL, GUICHET_SEAL_PKCS11_CERT_LABEL (the key's label by default) and
GUICHET_SEAL_PKCS11_PIN. Needs python-pkcs11, installed only where an HSM is used (README)."""

from dataclasses import dataclass, field
from typing import Self

from django.conf import settings

from ..base import ConnectorNotConfigured, SealConnector


@dataclass(frozen=True)
class Pkcs11Seal(SealConnector):
    name = "seal_pkcs11"
    setting_names = (
        "GUICHET_SEAL_PKCS11_MODULE",
        "GUICHET_SEAL_PKCS11_TOKEN",
        "GUICHET_SEAL_PKCS11_KEY_LABEL",
        "GUICHET_SEAL_PKCS11_CERT_LABEL",
        "GUICHET_SEAL_PKCS11_PIN",
    )

    module: str
    token: str
    key_label: str
    cert_label: str
    pin: str = field(repr=False)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_SEAL_PKCS11_MODULE)

    @classmethod
    def from_settings(cls) -> Self:
        key_label = settings.GUICHET_SEAL_PKCS11_KEY_LABEL
        if not key_label:
            raise ConnectorNotConfigured(
                "GUICHET_SEAL_PKCS11_MODULE est renseigné, mais pas l’étiquette de la clé du cachet "
                "(GUICHET_SEAL_PKCS11_KEY_LABEL)."
            )
        return cls(
            module=settings.GUICHET_SEAL_PKCS11_MODULE,
            token=settings.GUICHET_SEAL_PKCS11_TOKEN,
            key_label=key_label,
            cert_label=settings.GUICHET_SEAL_PKCS11_CERT_LABEL or key_label,
            pin=settings.GUICHET_SEAL_PKCS11_PIN,
        )

    def signer_load(self):
        from pyhanko.config.pkcs11 import TokenCriteria  # noqa: PLC0415
        from pyhanko.sign import pkcs11  # noqa: PLC0415

        session = pkcs11.open_pkcs11_session(
            self.module, token_criteria=TokenCriteria(label=self.token or None), user_pin=self.pin or None
        )
        labels = {"cert_label": self.cert_label, "key_label": self.key_label}
        signer = pkcs11.PKCS11Signer(session, **labels)
        if not _token_hashes(session, signer.signing_cert.public_key.algorithm):
            # Such tokens (SoftHSM 2 for ECDSA, some HSMs) only sign a digest: pyHanko hashes first.
            signer = pkcs11.PKCS11Signer(session, use_raw_mechanism=True, **labels)
        return signer


def _token_hashes(session, key_algorithm: str) -> bool:
    """Whether the token offers the hash-and-sign mechanism (SHA-256, as `documents.seal.pdf_seal` asks) for the
    seal's key: ECDSA or RSA PKCS#1 v1.5. Other keys are left to pyHanko's defaults."""
    from pkcs11 import Mechanism  # noqa: PLC0415

    mechanism = {"ec": Mechanism.ECDSA_SHA256, "rsa": Mechanism.SHA256_RSA_PKCS}.get(key_algorithm)
    return mechanism is None or mechanism in session.token.slot.get_mechanisms()
