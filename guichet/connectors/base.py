"""What every connector is (a name, the settings it reads, whether they select it), the errors
connectors raise, and what each capability asks of its implementations."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache
from typing import IO, TYPE_CHECKING, ClassVar, Self

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer
    from pyhanko.sign.timestamps import TimeStamper


class ConnectorError(Exception):
    """A connector could not do its work. The message is for the people who run the platform: it
    ends up in logs and on the failed work (an act's `last_error`)."""


class ConnectorNotConfigured(ConnectorError, ImproperlyConfigured):
    """The settings select no implementation where one is required, or one that cannot be loaded."""


class ConnectorUnavailable(ConnectorError):
    """The other system cannot be reached, or says it cannot serve now: a later try may succeed."""


class ConnectorTimeout(ConnectorUnavailable):
    """The other system did not answer in time."""


class ConnectorRejected(ConnectorError):
    """The other system refused the request, or answered something unreadable: trying the same
    request again will not help."""


class ScanTooLarge(ConnectorRejected):
    """The antivirus refuses to scan a file this large (clamd's StreamMaxLength): it scanned
    nothing, and the same file will be refused again until the antivirus's limit is raised."""


class Connector(ABC):
    """One implementation of a capability, towards one system. Implementations are frozen
    dataclasses of the values of their settings (`from_settings`): a changed setting gives another
    connector, and so another cached client."""

    name: ClassVar[str]  # the folder's name: "seal_pkcs12"
    capability: ClassVar[str]  # what it is for: "seal"
    setting_names: ClassVar[tuple[str, ...]]  # every setting it reads

    @classmethod
    @abstractmethod
    def configured(cls) -> bool:
        """Whether the settings select this implementation."""

    @classmethod
    @abstractmethod
    def from_settings(cls) -> Self:
        """The connector with the settings' current values; ConnectorNotConfigured when they do
        not go together."""


class SealConnector(Connector):
    """Holds the key of the administration's electronic seal."""

    capability = "seal"

    def signer(self) -> Signer:
        """pyHanko's signer, loaded once per process and configuration (a PKCS#11 session stays
        open, a PKCS#12 file is read once)."""
        return _signer_loaded(self)

    @abstractmethod
    def signer_load(self) -> Signer:
        """Load the key and its certificate; ConnectorNotConfigured when they cannot be read."""


@cache
def _signer_loaded(connector: SealConnector) -> Signer:
    return connector.signer_load()


class TimestampConnector(Connector):
    """An RFC 3161 timestamping authority, for seals that prove their date (PAdES B-T)."""

    capability = "timestamp"

    @abstractmethod
    def timestamper(self) -> TimeStamper:
        """pyHanko's timestamp client."""


class AntivirusConnector(Connector):
    """An antivirus that scans every uploaded file before it is kept."""

    capability = "antivirus"

    @abstractmethod
    def scan(self, stream: IO[bytes]) -> str | None:
        """The name of what the antivirus found in `stream` (read from its start, left there), or
        None when it is clean; ConnectorUnavailable (ConnectorTimeout) when it cannot answer now."""
