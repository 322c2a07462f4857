"""What every connector is (a name, the settings it reads, whether they select it), the errors
connectors raise, and what each capability asks of its implementations."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, ClassVar, Self

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer
    from pyhanko.sign.timestamps import TimeStamper

    from .data_sources import PivotIdentity, SourceAccess
    from .webhooks.client import Answer
    from .webhooks.targets import Target


class ConnectorError(Exception):
    """A connector could not do its work. The message is for the people who run the platform: it
    ends up in logs and on the failed work (an act's `last_error`)."""


class ConnectorNotConfigured(ConnectorError, ImproperlyConfigured):
    """The settings select no implementation where one is required, or one that cannot be loaded."""


class ConnectorUnavailable(ConnectorError):
    """The other system cannot be reached, or says it cannot serve now: a later try may succeed."""


class ConnectorTimeout(ConnectorUnavailable):
    """The other system did not answer in time."""


class ConnectorOutcomeUnknown(ConnectorTimeout):
    """The other system received a request that is not safe to send twice (an archive transfer)
    and gave no answer in time: it may have acted on it. Sending it again blindly may do the work
    twice; whoever retries should first find out (or let a person decide)."""


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
    url: str  # the authority's address, recorded with each audit timestamp

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


class ArchiveReplyCode(models.TextChoices):
    """The archival system's verdict on a transfer: the ReplyCode of SEDA's ArchiveTransferReply."""

    OK = "OK", _("Accepté")
    WARNING = "WARNING", _("Accepté avec avertissements")
    KO = "KO", _("Refusé")


@dataclass(frozen=True)
class ArchiveDeposit:
    """A transfer handed over: `operation_id` is what to ask about it afterwards (Vitam: the
    operation's id, from X-Request-Id; a directory: the package's file name)."""

    operation_id: str


@dataclass(frozen=True)
class ArchiveProgress:
    """Where the archival system is with a transfer. `done`: its reply can be fetched. `state` and
    `status` are the system's own words (Vitam: X-Global-Execution-State RUNNING / PAUSE /
    COMPLETED and X-Global-Execution-Status STARTED / OK / WARNING / KO / FATAL), for the logs."""

    done: bool
    state: str = ""
    status: str = ""


@dataclass(frozen=True)
class ArchiveReply:
    """The archival system's answer to a finished transfer.

    `atr_xml`: the ArchiveTransferReply as received, to be kept as it is (None where the target
    writes none: a directory). `unit_ids`: the id of each archive unit in the manifest → the id the
    archival system gave it (Vitam's SystemId), for later requests (access, elimination).
    `message`: for the archivist, in French: why the transfer was refused, or its warnings."""

    code: ArchiveReplyCode
    atr_xml: bytes | None
    unit_ids: Mapping[str, str] = field(default_factory=dict)
    message: str = ""


class ArchiveTransferConnector(Connector):
    """An archival system that takes SEDA packages (SIP): Vitam, or a folder that another system
    collects. A transfer is three calls, each of which may be repeated after a crash: `deposit`,
    then `status` until it is done, then `reply`."""

    capability = "archive_transfer"
    # Whether handing the same package over twice (same name, same digest) is harmless: true of a
    # folder, not of Vitam, which would archive it twice. The archives app repeats a deposit whose
    # outcome is unknown only where it is.
    deposit_idempotent: ClassVar[bool] = False

    @abstractmethod
    def deposit(self, *, sip: Path | IO[bytes], sip_name: str, sha512: str) -> ArchiveDeposit:
        """Hand the package over. `sip`: the ZIP, as a file's path or a seekable binary stream (read
        from its current position, perhaps several times); `sip_name`: a file name without
        extension (letters, digits, `.`, `-`, `_`), unique per transfer; `sha512`: the ZIP's digest
        (hexadecimal), checked before anything is sent. ConnectorRejected when the package does not
        match its digest or the system refuses it; ConnectorUnavailable when it cannot be reached
        now (nothing was handed over); ConnectorOutcomeUnknown when it may have been."""

    @abstractmethod
    def status(self, operation_id: str) -> ArchiveProgress:
        """Where the transfer `operation_id` is; ConnectorRejected when the system does not know it."""

    @abstractmethod
    def reply(self, operation_id: str) -> ArchiveReply:
        """The verdict of a finished transfer; ConnectorUnavailable when it is not ready yet,
        ConnectorRejected when the system's answer cannot be read."""


class WebhookConnector(Connector):
    """Sends the webhooks that organisations subscribe to: signed, to checked addresses only."""

    capability = "webhooks"

    @abstractmethod
    def target_check(self, url: str) -> Target:
        """Resolve `url`'s host and check that it may receive webhooks; TargetRefused (a
        ConnectorRejected with a message for the administrator) when it may not."""

    @abstractmethod
    def send(self, *, url: str, msg_id: str, body: bytes, secrets: Sequence[str]) -> Answer:
        """POST `body`, signed with each of `secrets`, under the stable `msg_id`; returns the
        answer (status, duration, excerpt) whatever its status. TargetRefused when the address may
        not receive it (any more), ConnectorUnavailable (ConnectorTimeout) when no answer came."""


class FlowState(models.TextChoices):
    """Where the invoicing platform is with a deposited file (Chorus Pro's etatCourantDepotFlux)."""

    PENDING = "pending", _("En cours de traitement")
    INTEGRATED = "integrated", _("Intégré")
    REJECTED = "rejected", _("Rejeté")


@dataclass(frozen=True)
class FlowReport:
    """The platform's report on a deposited file: `code` is its own word (IN_INTEGRE, IN_REJETE…),
    `reasons` say in French why it was rejected."""

    state: FlowState
    code: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvoiceProgress:
    """Where an integrated invoice is: its id on the platform, its status code (Chorus Pro's
    statutCourantCode: MISE_A_DISPOSITION, REJETEE, MISE_EN_PAIEMENT…) and, for a rejection, why."""

    invoice_id: str
    status: str
    reasons: tuple[str, ...] = ()


class InvoicingConnector(Connector):
    """The platform that carries the organisations' invoices to companies (Chorus Pro). One invoice
    is three kinds of calls: `deposit` once, `flow_report` until the file is integrated or rejected,
    then `invoice_progress` until it is paid or rejected."""

    capability = "invoicing"

    @abstractmethod
    def deposit(self, *, pdf: bytes, file_name: str) -> str:
        """Deposit one Factur-X PDF; returns the deposit's number (numeroFluxDepot). Never repeated
        blindly: ConnectorUnavailable when nothing can have been received, ConnectorOutcomeUnknown
        when it may have been, ConnectorRejected when the platform refused the file."""

    @abstractmethod
    def flow_report(self, flow_number: str) -> FlowReport:
        """The platform's report on the deposit `flow_number`."""

    @abstractmethod
    def invoice_progress(self, *, flow_number: str, invoice_id: str = "") -> InvoiceProgress | None:
        """The status of the invoice that the integrated deposit `flow_number` made, found by its
        id on the platform when it is known (None while the platform does not list it yet)."""


class PaymentResult(models.TextChoices):
    """What the payment service says of one payment attempt (PayFiP's `resultrans` and error codes,
    read as eopayment reads them: /work/shared/reference/connectors.md §8)."""

    PAID = "paid", _("Payé")
    REFUSED = "refused", _("Refusé")
    CANCELLED = "cancelled", _("Abandonné par l’usager")
    WAITING = "waiting", _("En cours")
    EXPIRED = "expired", _("Expiré")


@dataclass(frozen=True, kw_only=True)
class PaymentRequest:
    """A payment to open: `amount_cents` under `reference` (1 to 30 letters and digits, unique),
    paid by `email`, for `subject` in the accounting `year`; the service calls `notification_url`
    with the result and sends the person back to `return_url`."""

    reference: str
    amount_cents: int
    email: str
    subject: str
    year: int
    notification_url: str
    return_url: str


@dataclass(frozen=True)
class PaymentOrder:
    """A payment opened at the service: `operation_id` (PayFiP's idOp) and where to send the person."""

    operation_id: str
    redirect_url: str


@dataclass(frozen=True)
class PaymentDetail:
    """The service's answer about an operation. `code`: its own word (resultrans P/V/R/Z/A, or the
    error code P1/P5), `authorisation`: the bank's authorisation number, `paid_at`: when the
    service says it happened (None when it does not say), `test`: made in the service's test mode."""

    result: PaymentResult
    code: str
    reference: str = ""
    amount_cents: int | None = None
    authorisation: str = ""
    paid_at: datetime | None = None
    test: bool = False


class PaymentConnector(Connector):
    """An online payment service (PayFiP, or the demonstration's dummy). A payment is two calls:
    `payment_create`, after which the person is sent to `redirect_url`, then `payment_detail`
    (on the service's notification, on the person's return, or by the reconciliation) until the
    result is final."""

    capability = "payment"

    @abstractmethod
    def payment_create(self, request: PaymentRequest) -> PaymentOrder:
        """Open the payment `request` asks for;
        ConnectorRejected when the service refuses it, ConnectorUnavailable when it cannot answer."""

    @abstractmethod
    def payment_detail(self, operation_id: str) -> PaymentDetail:
        """Where the operation stands; ConnectorUnavailable when the service cannot answer now."""


class CompanyDataConnector(Connector):
    """Companies' data held by the state (API Entreprise): a SIRET field fills other fields with it."""

    capability = "company_data"

    @abstractmethod
    def establishment(self, *, siret: str, access: SourceAccess) -> dict[str, str]:
        """The establishment's identity, one text per name of data_sources.COMPANY_DATA. Raises the
        typed errors of data_sources (not found, unauthorised, rate-limited), ConnectorTimeout or
        ConnectorUnavailable."""


class IndividualDataConnector(Connector):
    """Individuals' data held by the state (API Particulier), asked with the person's FranceConnect
    identity and their consent."""

    capability = "individual_data"

    @abstractmethod
    def individual_datum(
        self, *, datum: str, person: PivotIdentity, access: SourceAccess, identifier: str = ""
    ) -> int | bool:
        """One of data_sources.INDIVIDUAL_DATA about `person`: the family quotient (an integer, in
        euros), whether they are a student now, whether they are registered as a job seeker now.
        The data of data_sources.IDENTIFIED_DATA are asked with the `identifier` the person gave,
        and their answer must name `person`. Raises as CompanyDataConnector.establishment."""
