"""Which implementation serves each capability: the first, in the order below, that the settings
select. Domain code asks `connector_for("seal")` and never imports an implementation; the next
capabilities (archiving, webhooks, data exchange, invoicing, payment) are added here."""

from dataclasses import dataclass
from typing import Literal, overload

from .api_entreprise.connector import ApiEntreprise
from .api_entreprise_demo.connector import DemoApiEntreprise
from .api_particulier.connector import ApiParticulier
from .api_particulier_demo.connector import DemoApiParticulier
from .archive_bucket.connector import BucketArchive
from .archive_directory.connector import DirectoryArchive
from .base import (
    AntivirusConnector,
    ArchiveTransferConnector,
    CompanyDataConnector,
    Connector,
    ConnectorNotConfigured,
    IndividualDataConnector,
    InvoicingConnector,
    PaymentConnector,
    SealConnector,
    TimestampConnector,
    WebhookConnector,
)
from .chorus_pro.connector import ChorusPro
from .clamav.connector import ClamavAntivirus
from .data_exchange import DataExchangeConnector
from .hubee.connector import HubeeExchange
from .invoicing_dummy.connector import DummyInvoicing
from .payfip.connector import PayfipPayment
from .payment_dummy.connector import DummyPayment
from .seal_dev_authority.connector import DevAuthoritySeal
from .seal_pkcs11.connector import Pkcs11Seal
from .seal_pkcs12.connector import Pkcs12Seal
from .timestamping.connector import AuditTsaTimestamping, TsaTimestamping
from .vitam.connector import VitamArchive
from .webhooks.connector import HttpWebhooks


@dataclass(frozen=True)
class Capability:
    implementations: tuple[type[Connector], ...]  # tried in this order: the first configured one serves
    missing: str | None  # the error when none is configured; None: the capability is optional


CAPABILITIES: dict[str, Capability] = {
    "seal": Capability(
        # The administration's token, then its file; the development authority only where neither is
        # configured and the settings allow it.
        implementations=(Pkcs11Seal, Pkcs12Seal, DevAuthoritySeal),
        missing="Aucun certificat de cachet n’est configuré (GUICHET_SEAL_PKCS12_PATH ou GUICHET_SEAL_PKCS11_MODULE).",
    ),
    "timestamp": Capability(implementations=(TsaTimestamping,), missing=None),
    # Off where GUICHET_CLAMAV_ADDRESS is empty (development); production sets it.
    "antivirus": Capability(implementations=(ClamavAntivirus,), missing=None),
    # The audit chain's daily timestamp; none without an authority (development).
    "audit_timestamp": Capability(implementations=(AuditTsaTimestamping,), missing=None),
    # Vitam where it is configured, else a bucket or a folder that another system collects.
    "archive_transfer": Capability(
        implementations=(VitamArchive, BucketArchive, DirectoryArchive),
        missing="Aucun système d’archivage n’est configuré : indiquez l’adresse de Vitam (GUICHET_VITAM_URL), "
        "un compartiment S3 (GUICHET_ARCHIVE_BUCKET) ou un dossier de dépôt des archives (GUICHET_ARCHIVE_DIRECTORY).",
    ),
    # Always there: the subscriptions say where to send; the settings only bound it (SSRF guard).
    "webhooks": Capability(implementations=(HttpWebhooks,), missing=None),
    # Chorus Pro where it is configured; the in-process stand-in only where the settings ask for it.
    "invoicing": Capability(
        implementations=(ChorusPro, DummyInvoicing),
        missing="Aucune plateforme de facturation n’est configurée : indiquez Chorus Pro (GUICHET_CHORUS_PRO_URL).",
    ),
    # Online payment of fees: PayFiP where its collectivity code is set, else the dummy (demonstration).
    "payment": Capability(
        implementations=(PayfipPayment, DummyPayment),
        missing="Aucun service de paiement n’est configuré "
        "(GUICHET_PAYFIP_NUMCLI, ou GUICHET_PAYMENT_DUMMY en démonstration).",
    ),
    # The state's data for form fields (docs/exchange.md): the API where its address is set, else the
    # recorded answers of the demonstration (GUICHET_DATA_SOURCES_DEMO), else none: fields are typed.
    "company_data": Capability(implementations=(ApiEntreprise, DemoApiEntreprise), missing=None),
    "individual_data": Capability(implementations=(ApiParticulier, DemoApiParticulier), missing=None),
    # HubEE, where GUICHET_HUBEE_API_URL is set: dossiers received from and sent to other administrations.
    "data_exchange": Capability(
        implementations=(HubeeExchange,),
        missing="HubEE n’est pas configuré : indiquez GUICHET_HUBEE_API_URL et GUICHET_HUBEE_TOKEN_URL.",
    ),
}


@overload
def connector_for(capability: Literal["seal"]) -> SealConnector: ...
@overload
def connector_for(capability: Literal["timestamp"]) -> TimestampConnector | None: ...
@overload
def connector_for(capability: Literal["antivirus"]) -> AntivirusConnector | None: ...
@overload
def connector_for(capability: Literal["audit_timestamp"]) -> TimestampConnector | None: ...
@overload
def connector_for(capability: Literal["archive_transfer"]) -> ArchiveTransferConnector: ...
@overload
def connector_for(capability: Literal["webhooks"]) -> WebhookConnector: ...
@overload
def connector_for(capability: Literal["invoicing"]) -> InvoicingConnector: ...
@overload
def connector_for(capability: Literal["payment"]) -> PaymentConnector: ...
@overload
def connector_for(capability: Literal["company_data"]) -> CompanyDataConnector | None: ...
@overload
def connector_for(capability: Literal["individual_data"]) -> IndividualDataConnector | None: ...
@overload
def connector_for(capability: Literal["data_exchange"]) -> DataExchangeConnector: ...
def connector_for(capability: str) -> Connector | None:
    """The connector that the settings select for `capability`, with their current values. For a
    capability nothing configures: None when it is optional, else ConnectorNotConfigured."""
    try:
        entry = CAPABILITIES[capability]
    except KeyError:
        raise LookupError(f"Unknown connector capability {capability!r} (known: {', '.join(CAPABILITIES)})") from None
    for implementation in entry.implementations:
        if implementation.configured():
            return implementation.from_settings()
    if entry.missing is None:
        return None
    raise ConnectorNotConfigured(entry.missing)
