"""ClamAV's clamd, which scans every uploaded file. Settings: GUICHET_CLAMAV_ADDRESS (where clamd
listens: `tcp://host:port` or `unix:///path`; empty, the default in development: no scan) and
GUICHET_CLAMAV_TIMEOUT (seconds for one scan)."""

from dataclasses import dataclass
from typing import IO, Self

from django.conf import settings

from ..base import AntivirusConnector, ConnectorNotConfigured
from .client import ClamdAddress, clamd_instream


@dataclass(frozen=True)
class ClamavAntivirus(AntivirusConnector):
    name = "clamav"
    setting_names = ("GUICHET_CLAMAV_ADDRESS", "GUICHET_CLAMAV_TIMEOUT")

    address: ClamdAddress
    timeout: float

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_CLAMAV_ADDRESS)

    @classmethod
    def from_settings(cls) -> Self:
        try:
            address = ClamdAddress.parse(settings.GUICHET_CLAMAV_ADDRESS)
        except ValueError as error:
            raise ConnectorNotConfigured(f"GUICHET_CLAMAV_ADDRESS: {error}") from error
        return cls(address=address, timeout=float(settings.GUICHET_CLAMAV_TIMEOUT))

    def scan(self, stream: IO[bytes]) -> str | None:
        return clamd_instream(self.address, stream, timeout=self.timeout)
