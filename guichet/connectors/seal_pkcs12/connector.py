"""The seal's key and certificate in a PKCS#12 file. Settings: GUICHET_SEAL_PKCS12_PATH and
GUICHET_SEAL_PKCS12_PASSWORD."""

from dataclasses import dataclass, field
from typing import Self

from django.conf import settings

from ..base import ConnectorNotConfigured, SealConnector


@dataclass(frozen=True)
class Pkcs12Seal(SealConnector):
    name = "seal_pkcs12"
    setting_names = ("GUICHET_SEAL_PKCS12_PATH", "GUICHET_SEAL_PKCS12_PASSWORD")

    path: str
    password: str = field(repr=False)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_SEAL_PKCS12_PATH)

    @classmethod
    def from_settings(cls) -> Self:
        return cls(path=settings.GUICHET_SEAL_PKCS12_PATH, password=settings.GUICHET_SEAL_PKCS12_PASSWORD)

    def signer_load(self):
        from pyhanko.sign import signers  # noqa: PLC0415

        signer = signers.SimpleSigner.load_pkcs12(self.path, passphrase=self.password.encode() or None)
        if signer is None:
            raise ConnectorNotConfigured(f"Le fichier PKCS#12 du cachet ne peut pas être lu : {self.path}")
        return signer
