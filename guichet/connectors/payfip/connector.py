"""PayFiP, the DGFiP's online payment of public revenue, through its web service (docs:
/work/shared/reference/connectors.md §8, eopayment's `payfip_ws.py`; decision 0038):

- `creerPaiementSecurise(numcli, saisie, exer, refdet, montant, mel, objet, urlnotif, urlredirect)`
  opens a payment and answers its `idOp`; the person is sent to `{payment_url}?idop=<idOp>`;
- PayFiP then calls `urlnotif` with the idOp, and sends the person back to `urlredirect`;
- `recupererDetailPaiementSecurise(idOp)` says how it ended: `resultrans` P (card) or V (direct
  debit) paid, R or Z refused, A cancelled; the fault P5 while the idOp is still active (15 minutes),
  P1 once it is unknown (purged every night).

Settings: GUICHET_PAYFIP_NUMCLI (the 6-digit collectivity code; selects PayFiP), GUICHET_PAYFIP_SAISIE
(T test, X activation, W production), GUICHET_PAYFIP_URL (the SOAP endpoint), GUICHET_PAYFIP_PAYMENT_URL
(where the person pays) and GUICHET_PAYFIP_TIMEOUT (seconds per attempt)."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Self
from zoneinfo import ZoneInfo

from django.conf import settings
from lxml import etree

from ..base import (
    ConnectorNotConfigured,
    ConnectorRejected,
    ConnectorUnavailable,
    PaymentConnector,
    PaymentDetail,
    PaymentOrder,
    PaymentRequest,
    PaymentResult,
)
from ..http import HttpPolicy, http_request
from .soap import SoapFault, soap_answer, soap_request

SYSTEM = "PayFiP"
MODES = ("T", "X", "W")
REFERENCE = re.compile(r"^[A-Za-z0-9]{1,30}$")
SOAP_FAULT_STATUS = 500
# resultrans → the result (eopayment's reading).
RESULTS = {
    "P": PaymentResult.PAID,
    "V": PaymentResult.PAID,
    "R": PaymentResult.REFUSED,
    "Z": PaymentResult.REFUSED,
    "A": PaymentResult.CANCELLED,
}
STILL_ACTIVE, UNKNOWN = "P5", "P1"
PARIS = ZoneInfo("Europe/Paris")


def payfip_subject(text: str) -> str:
    """`objet` as PayFiP takes it: up to 100 letters, digits and spaces, without accents."""
    text = re.sub(r"[^\w]|_", " ", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9 ]", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:100]


def _moment(day: str, time: str) -> datetime | None:
    try:
        return datetime.strptime(f"{day}{time}", "%d%m%Y%H%M").replace(tzinfo=PARIS)
    except ValueError:
        return None


@dataclass(frozen=True)
class PayfipPayment(PaymentConnector):
    name = "payfip"
    setting_names = (
        "GUICHET_PAYFIP_NUMCLI",
        "GUICHET_PAYFIP_SAISIE",
        "GUICHET_PAYFIP_URL",
        "GUICHET_PAYFIP_PAYMENT_URL",
        "GUICHET_PAYFIP_TIMEOUT",
    )

    numcli: str
    mode: str
    url: str
    payment_url: str
    policy: HttpPolicy = HttpPolicy(timeout=15)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_PAYFIP_NUMCLI)

    @classmethod
    def from_settings(cls) -> Self:
        numcli, mode = str(settings.GUICHET_PAYFIP_NUMCLI).strip(), settings.GUICHET_PAYFIP_SAISIE
        if not (numcli.isdigit() and len(numcli) == 6):
            raise ConnectorNotConfigured(
                f"GUICHET_PAYFIP_NUMCLI doit être le code à 6 chiffres de la collectivité, et non {numcli!r}."
            )
        if mode not in MODES:
            raise ConnectorNotConfigured(
                f"GUICHET_PAYFIP_SAISIE doit valoir T (test), X (activation) ou W (production), et non {mode!r}."
            )
        return cls(
            numcli=numcli,
            mode=mode,
            url=settings.GUICHET_PAYFIP_URL,
            payment_url=settings.GUICHET_PAYFIP_PAYMENT_URL,
            policy=HttpPolicy(timeout=settings.GUICHET_PAYFIP_TIMEOUT),
        )

    def _call(self, operation: str, fields: dict[str, str | None], *, repeatable: bool) -> dict[str, str]:
        response = http_request(
            "POST",
            self.url,
            data=soap_request(operation, fields),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            policy=self.policy,
            system=SYSTEM,
            answered={SOAP_FAULT_STATUS},
            repeatable=repeatable,
        )
        try:
            return soap_answer(response.content, operation)
        except SoapFault:
            raise
        except (etree.XMLSyntaxError, ValueError) as error:
            if response.status_code == SOAP_FAULT_STATUS:
                raise ConnectorUnavailable(f"{SYSTEM} : erreur du serveur (HTTP 500) sans message SOAP") from error
            raise ConnectorRejected(f"{SYSTEM} : réponse illisible à {operation} : {error}") from error

    def payment_create(self, request: PaymentRequest) -> PaymentOrder:
        if not REFERENCE.match(request.reference):
            raise ConnectorRejected(
                f"{SYSTEM} : la référence {request.reference!r} n’est pas de 1 à 30 lettres et chiffres"
            )
        fields = {
            "numcli": self.numcli,
            "saisie": self.mode,
            "exer": str(request.year),
            "refdet": request.reference,
            "montant": str(request.amount_cents),
            "mel": request.email,
            "objet": payfip_subject(request.subject) or None,
            "urlnotif": request.notification_url,
            "urlredirect": request.return_url,
        }
        try:
            # Not repeated blindly: a second call would open a second operation.
            answer = self._call("creerPaiementSecurise", fields, repeatable=False)
        except SoapFault as fault:
            raise _fault_error(fault, "creerPaiementSecurise") from fault
        operation_id = answer.get("idOp", "")
        if not operation_id:
            raise ConnectorRejected(f"{SYSTEM} : creerPaiementSecurise n’a pas donné d’idOp")
        return PaymentOrder(operation_id=operation_id, redirect_url=f"{self.payment_url}?idop={operation_id}")

    def payment_detail(self, operation_id: str) -> PaymentDetail:
        try:
            answer = self._call("recupererDetailPaiementSecurise", {"idOp": operation_id}, repeatable=True)
        except SoapFault as fault:
            if fault.code == STILL_ACTIVE:
                return PaymentDetail(result=PaymentResult.WAITING, code=fault.code)
            if fault.code == UNKNOWN:
                return PaymentDetail(result=PaymentResult.EXPIRED, code=fault.code)
            raise _fault_error(fault, "recupererDetailPaiementSecurise") from fault
        code = answer.get("resultrans", "")
        if code not in RESULTS:
            raise ConnectorRejected(f"{SYSTEM} : résultat de paiement inconnu {code!r} pour l’opération {operation_id}")
        montant = answer.get("montant", "")
        return PaymentDetail(
            result=RESULTS[code],
            code=code,
            reference=answer.get("refdet", ""),
            amount_cents=int(montant) if montant.isdigit() else None,
            authorisation=answer.get("numauto", ""),
            paid_at=_moment(answer.get("dattrans", ""), answer.get("heurtrans", "")),
            test=answer.get("saisie") == "T",
        )


def _fault_error(fault: SoapFault, operation: str) -> Exception:
    message = f"{SYSTEM} a refusé {operation} : {fault.code or fault.kind} {fault.message}".strip()
    if fault.kind == "TechIndisponibiliteErreur":
        return ConnectorUnavailable(message)
    return ConnectorRejected(message)
