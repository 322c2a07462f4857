"""The development seal: a certificate of the development authority (authority.py), for
development and tests. Setting: GUICHET_SEAL_DEV_CA (true by default, false in production), read
only when no PKCS#11 token or PKCS#12 file is configured; VAR_DIR says where var/seal/ is."""

from dataclasses import dataclass
from pathlib import Path
from typing import Self

from django.conf import settings

from ..base import SealConnector
from .authority import DEV_PKCS12_PASSWORD, DevAuthority, dev_authority_ensure, dev_directory


@dataclass(frozen=True)
class DevAuthoritySeal(SealConnector):
    name = "seal_dev_authority"
    setting_names = ("GUICHET_SEAL_DEV_CA", "VAR_DIR")

    directory: str

    @classmethod
    def configured(cls) -> bool:
        return settings.GUICHET_SEAL_DEV_CA

    @classmethod
    def from_settings(cls) -> Self:
        return cls(directory=str(dev_directory()))

    def authority_ensure(self) -> tuple[DevAuthority, bool]:
        """The authority, created when missing, and whether it was created now."""
        return dev_authority_ensure(Path(self.directory))

    def signer_load(self):
        from pyhanko.sign import signers  # noqa: PLC0415

        authority, _ = self.authority_ensure()
        return signers.SimpleSigner.load_pkcs12(str(authority.seal_pkcs12), passphrase=DEV_PKCS12_PASSWORD)
