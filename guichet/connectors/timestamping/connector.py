"""An RFC 3161 timestamping authority (TSA) over HTTP: with one, seals are PAdES B-T, else B-B.
Settings: GUICHET_SEAL_TSA_URL (the authority's address) and GUICHET_SEAL_TSA_TIMEOUT (seconds
for each attempt)."""

from dataclasses import dataclass
from typing import Self

from django.conf import settings

from ..base import TimestampConnector
from ..http import HttpPolicy


@dataclass(frozen=True)
class TsaTimestamping(TimestampConnector):
    name = "timestamping"
    setting_names = ("GUICHET_SEAL_TSA_URL", "GUICHET_SEAL_TSA_TIMEOUT")

    url: str
    policy: HttpPolicy

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_SEAL_TSA_URL)

    @classmethod
    def from_settings(cls) -> Self:
        return cls(url=settings.GUICHET_SEAL_TSA_URL, policy=HttpPolicy(timeout=settings.GUICHET_SEAL_TSA_TIMEOUT))

    def timestamper(self):
        from .client import Rfc3161Client  # noqa: PLC0415 (pyHanko is loaded when an act is sealed)

        return Rfc3161Client(url=self.url, policy=self.policy)


@dataclass(frozen=True)
class AuditTsaTimestamping(TsaTimestamping):
    """The authority that timestamps the audit chain's head every day (`manage.py audit_timestamp`):
    GUICHET_AUDIT_TSA_URL, or the seals' authority when it is empty, with the seals' timeout."""

    capability = "audit_timestamp"
    setting_names = ("GUICHET_AUDIT_TSA_URL", "GUICHET_SEAL_TSA_URL", "GUICHET_SEAL_TSA_TIMEOUT")

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_AUDIT_TSA_URL or settings.GUICHET_SEAL_TSA_URL)

    @classmethod
    def from_settings(cls) -> Self:
        return cls(
            url=settings.GUICHET_AUDIT_TSA_URL or settings.GUICHET_SEAL_TSA_URL,
            policy=HttpPolicy(timeout=settings.GUICHET_SEAL_TSA_TIMEOUT),
        )
