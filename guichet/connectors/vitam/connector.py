"""Vitam's ingest over mutual TLS (docs: /work/shared/reference/connectors.md §1, Vitam's
ingest.raml and IngestExternalResource):

- deposit: `POST {url}/ingest-external/v1/ingests`, the ZIP as application/octet-stream, with
  X-Tenant-Id, X-Action: RESUME and X-Context-Id; 202, the operation's id in X-Request-Id;
- status: `HEAD {admin_url}/admin-external/v1/operations/{id}`, whose X-Global-Execution-State is
  COMPLETED once the reply is ready (202 before, 200 then);
- reply: `GET {url}/ingest-external/v1/ingests/{id}/archivetransferreply`, the ATR: 200 OK, 206
  warning, 400 refused (the body is the ATR in all three).

Settings: GUICHET_VITAM_URL (selects Vitam), GUICHET_VITAM_ADMIN_URL (admin-external, where Vitam
serves it apart; default: the same), GUICHET_VITAM_TENANT, GUICHET_VITAM_CONTEXT
(DEFAULT_WORKFLOW), GUICHET_VITAM_CERT / GUICHET_VITAM_KEY (the client certificate that Vitam
binds to Guichet's application context), GUICHET_VITAM_CA (the authorities of Vitam's server
certificate), GUICHET_VITAM_ACCESS_CONTRACT (sent as X-Access-Contract-Id where the deployment asks
for one) and GUICHET_VITAM_TIMEOUT (seconds per attempt, long enough to upload a package)."""

from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self
from urllib.parse import quote

from django.conf import settings

from ..base import (
    ArchiveDeposit,
    ArchiveProgress,
    ArchiveReply,
    ArchiveTransferConnector,
    ConnectorNotConfigured,
    ConnectorRejected,
    ConnectorUnavailable,
)
from ..http import HttpPolicy, TlsIdentity, http_request
from ..sip import sip_digest_check, sip_name_check, sip_open
from .reply import SYSTEM, atr_read

CONTEXTS = ("DEFAULT_WORKFLOW", "BLANK_TEST", "FILING_SCHEME", "HOLDING_SCHEME")
REPLY_STATUSES = {200, 206, 400}  # OK, warning, refused: each with its ATR
NOT_FOUND = 404


@dataclass(frozen=True)
class VitamArchive(ArchiveTransferConnector):
    name = "vitam"
    setting_names = (
        "GUICHET_VITAM_URL",
        "GUICHET_VITAM_ADMIN_URL",
        "GUICHET_VITAM_TENANT",
        "GUICHET_VITAM_CONTEXT",
        "GUICHET_VITAM_CERT",
        "GUICHET_VITAM_KEY",
        "GUICHET_VITAM_CA",
        "GUICHET_VITAM_ACCESS_CONTRACT",
        "GUICHET_VITAM_TIMEOUT",
    )

    url: str
    admin_url: str
    tenant: int
    context: str
    tls: TlsIdentity
    access_contract: str = ""
    policy: HttpPolicy = HttpPolicy(timeout=120)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_VITAM_URL)

    @classmethod
    def from_settings(cls) -> Self:
        tenant = str(settings.GUICHET_VITAM_TENANT).strip()
        if not tenant.isdigit():
            raise ConnectorNotConfigured(
                f"GUICHET_VITAM_TENANT doit être le numéro du tenant Vitam (un entier), et non {tenant!r}."
            )
        context = settings.GUICHET_VITAM_CONTEXT
        if context not in CONTEXTS:
            raise ConnectorNotConfigured(
                f"GUICHET_VITAM_CONTEXT doit valoir l’un de {', '.join(CONTEXTS)}, et non {context!r}."
            )
        certificate, key = settings.GUICHET_VITAM_CERT, settings.GUICHET_VITAM_KEY
        if not certificate:
            raise ConnectorNotConfigured(
                "Vitam n’accepte que les applications qui présentent leur certificat : indiquez GUICHET_VITAM_CERT "
                "(et GUICHET_VITAM_KEY si la clé est dans un fichier à part)."
            )
        authorities = settings.GUICHET_VITAM_CA
        files = {"GUICHET_VITAM_CERT": certificate, "GUICHET_VITAM_KEY": key, "GUICHET_VITAM_CA": authorities}
        for setting, path in files.items():
            if path and not Path(path).is_file():
                raise ConnectorNotConfigured(f"{setting} : le fichier {path} n’existe pas.")
        url = settings.GUICHET_VITAM_URL.rstrip("/")
        return cls(
            url=url,
            admin_url=(settings.GUICHET_VITAM_ADMIN_URL or url).rstrip("/"),
            tenant=int(tenant),
            context=context,
            tls=TlsIdentity(certificate=certificate, key=key, authorities=authorities),
            access_contract=settings.GUICHET_VITAM_ACCESS_CONTRACT,
            policy=HttpPolicy(timeout=float(settings.GUICHET_VITAM_TIMEOUT)),
        )

    def _headers(self, **more: str) -> dict[str, str]:
        headers = {"X-Tenant-Id": str(self.tenant), **more}
        if self.access_contract:
            headers["X-Access-Contract-Id"] = self.access_contract
        return headers

    def deposit(self, *, sip: Path | IO[bytes], sip_name: str, sha512: str) -> ArchiveDeposit:
        """Vitam has no idempotency key: a package is sent again only when no attempt can have
        reached it (no connection, a reset, 502/503/504); an upload that got no answer in time ends
        in ConnectorOutcomeUnknown rather than in a second ingest."""
        sip_name_check(sip_name)
        with sip_open(sip) as stream:
            sip_digest_check(stream, sha512)
            response = http_request(
                "POST",
                f"{self.url}/ingest-external/v1/ingests",
                data=stream,
                headers=self._headers(
                    **{
                        "X-Action": "RESUME",
                        "X-Context-Id": self.context,
                        "Content-Type": "application/octet-stream",
                    }
                ),
                tls=self.tls,
                policy=self.policy,
                system=SYSTEM,
                repeatable=False,
            )
        operation_id = response.headers.get("X-Request-Id", "").strip()
        if response.status_code != 202 or not operation_id:
            raise ConnectorRejected(
                f"{SYSTEM} n’a pas pris le transfert en charge (HTTP {response.status_code}, "
                f"identifiant d’opération {'absent' if not operation_id else operation_id})"
            )
        return ArchiveDeposit(operation_id=operation_id)

    def status(self, operation_id: str) -> ArchiveProgress:
        response = http_request(
            "HEAD",
            f"{self.admin_url}/admin-external/v1/operations/{quote(operation_id, safe='')}",
            headers=self._headers(),
            tls=self.tls,
            policy=self.policy,
            system=SYSTEM,
            answered={NOT_FOUND},
        )
        if response.status_code == NOT_FOUND:
            raise ConnectorRejected(f"{SYSTEM} ne connaît pas l’opération {operation_id}")
        state = response.headers.get("X-Global-Execution-State", "").upper()
        status = response.headers.get("X-Global-Execution-Status", "").upper()
        return ArchiveProgress(done=state == "COMPLETED", state=state, status=status)

    def reply(self, operation_id: str) -> ArchiveReply:
        response = http_request(
            "GET",
            f"{self.url}/ingest-external/v1/ingests/{quote(operation_id, safe='')}/archivetransferreply",
            headers=self._headers(Accept="application/octet-stream, application/xml"),
            tls=self.tls,
            policy=self.policy,
            system=SYSTEM,
            answered={*REPLY_STATUSES, NOT_FOUND},
        )
        if response.status_code == NOT_FOUND:
            raise ConnectorUnavailable(f"{SYSTEM} n’a pas encore d’accusé de transfert pour l’opération {operation_id}")
        return atr_read(response.content, http_status=response.status_code)
