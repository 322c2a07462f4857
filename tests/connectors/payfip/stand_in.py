"""A stand-in PayFiP: an HTTP server on 127.0.0.1 that speaks the web service's documented SOAP
contract (/work/shared/reference/connectors.md §8, the WSDL that eopayment ships), written here
apart from Guichet's client so that the two check each other:

- `POST /tpa/services/securite`, `creerPaiementSecurise`: checks numcli (its collectivity), saisie
  (T, X, W), exer, refdet (1 to 30 letters and digits), montant (cents, from 100), mel, urlnotif and
  urlredirect; answers a fresh `idOp`;
- `recupererDetailPaiementSecurise(idOp)`: the fault P5 while the person has not finished, P1 for
  an unknown (or purged) idOp, else `resultrans` (P, V, R, Z, A) with dattrans, heurtrans, numauto...;
- `GET /tpa/paiementws.web?idop=…`: the payment page, where `person_finishes` stands for the person.

What PayFiP then does towards Guichet (POST `idOp=…` to urlnotif, and sending the person back to
urlredirect) is handed to the test as `Finished`, to be delivered in the order the test chooses.
Its `unavailable` count makes the next SOAP calls fail with HTTP 503."""

import re
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree

from tests.connectors.serving import http_serving

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = (
    "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/"
    "contrat_paiement_securise/PaiementSecuriseService"
)
NUMCLI = "123456"
REFDET = re.compile(r"^[A-Za-z0-9]{1,30}$")
PAID_CARD, PAID_DEBIT, REFUSED_CARD, REFUSED_DEBIT, CANCELLED = "P", "V", "R", "Z", "A"


@dataclass
class Operation:
    fields: dict[str, str]
    result: str | None = None
    at: datetime | None = None
    numauto: str = ""


@dataclass(frozen=True)
class Finished:
    """What PayFiP does once the person finished: the notification it POSTs, and where it sends
    the person back."""

    notification_url: str
    notification_body: str
    return_url: str


@dataclass
class StandInPayfip:
    url: str = ""
    operations: dict[str, Operation] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    unavailable: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def service_url(self) -> str:
        return f"{self.url}/tpa/services/securite"

    @property
    def payment_url(self) -> str:
        return f"{self.url}/tpa/paiementws.web"

    def person_finishes(self, idop: str, result: str = PAID_CARD) -> Finished:
        """The person paid (P, V), was refused (R, Z) or cancelled (A) on the payment page."""
        with self.lock:
            operation = self.operations[idop]
            operation.result = result
            operation.at = datetime.now(ZoneInfo("Europe/Paris"))
            operation.numauto = secrets.token_hex(3).upper() if result in (PAID_CARD, PAID_DEBIT) else ""
        return Finished(operation.fields["urlnotif"], f"idOp={idop}", operation.fields["urlredirect"])

    def purge(self) -> None:
        """The nightly purge: every idOp is unknown afterwards (P1)."""
        with self.lock:
            self.operations.clear()

    # --- SOAP ---

    def handle(self, operation: str, fields: dict[str, str]) -> tuple[int, bytes]:
        self.calls.append((operation, fields))
        if operation == "creerPaiementSecurise":
            return self._create(fields)
        if operation == "recupererDetailPaiementSecurise":
            return self._detail(fields)
        return 500, _fault("TechProtocolaireErreur", "T1", f"Opération inconnue {operation}")

    def _create(self, fields: dict[str, str]) -> tuple[int, bytes]:
        problems = {
            "numcli": fields.get("numcli") == NUMCLI,
            "saisie": fields.get("saisie") in ("T", "X", "W"),
            "exer": re.fullmatch(r"\d{4}", fields.get("exer", "")) is not None,
            "refdet": REFDET.match(fields.get("refdet", "")) is not None,
            "montant": fields.get("montant", "").isdigit() and 100 <= int(fields["montant"]) <= 10_000_000,
            "mel": "@" in fields.get("mel", "") and 6 <= len(fields["mel"]) <= 80,
            "urlnotif": fields.get("urlnotif", "").startswith("http"),
            "urlredirect": fields.get("urlredirect", "").startswith("http"),
        }
        wrong = [name for name, good in problems.items() if not good]
        if wrong:
            return 500, _fault("FonctionnelleErreur", "R3", f"Paramètre invalide : {', '.join(wrong)}")
        idop = secrets.token_hex(18)
        with self.lock:
            self.operations[idop] = Operation(fields=dict(fields))
        return 200, _response("creerPaiementSecurise", {"idOp": idop})

    def _detail(self, fields: dict[str, str]) -> tuple[int, bytes]:
        idop = fields.get("idOp", "")
        with self.lock:
            operation = self.operations.get(idop)
        if operation is None:
            return 500, _fault("FonctionnelleErreur", "P1", "IdOp incorrect.")
        if operation.result is None:
            return 500, _fault("FonctionnelleErreur", "P5", "Transaction en cours.")
        source = operation.fields
        return 200, _response(
            "recupererDetailPaiementSecurise",
            {
                "dattrans": operation.at.strftime("%d%m%Y"),
                "exer": source["exer"],
                "heurtrans": operation.at.strftime("%H%M"),
                "idOp": idop,
                "mel": source["mel"],
                "montant": source["montant"],
                "numauto": operation.numauto,
                "numcli": source["numcli"],
                "objet": source.get("objet", ""),
                "refdet": source["refdet"],
                "resultrans": operation.result,
                "saisie": source["saisie"],
            },
        )


def _envelope():
    envelope = etree.Element(etree.QName(SOAP_ENV, "Envelope"), nsmap={"S": SOAP_ENV})
    return envelope, etree.SubElement(envelope, etree.QName(SOAP_ENV, "Body"))


def _response(operation: str, fields: dict[str, str]) -> bytes:
    envelope, body = _envelope()
    answer = etree.SubElement(body, etree.QName(SERVICE_NS, f"{operation}Response"), nsmap={"ns2": SERVICE_NS})
    returned = etree.SubElement(answer, "return")
    for name, value in fields.items():
        etree.SubElement(returned, name).text = value
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def _fault(kind: str, code: str, label: str) -> bytes:
    envelope, body = _envelope()
    fault = etree.SubElement(body, etree.QName(SOAP_ENV, "Fault"))
    etree.SubElement(fault, "faultcode").text = "S:Server"
    etree.SubElement(fault, "faultstring").text = f"fr.gouv.finances.cp.tpa.webservice.exceptions.{kind}"
    detail = etree.SubElement(fault, "detail")
    error = etree.SubElement(detail, etree.QName(SERVICE_NS, kind), nsmap={"ns2": SERVICE_NS})
    for name, value in (("code", code), ("descriptif", label), ("libelle", label), ("severite", "2")):
        etree.SubElement(error, name).text = value
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def _call_read(content: bytes) -> tuple[str, dict[str, str]]:
    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    call = root.find(f"{{{SOAP_ENV}}}Body")[0]
    if etree.QName(call.tag).namespace != SERVICE_NS:
        raise ValueError("espace de noms inattendu")
    arg = call.find("arg0")
    return etree.QName(call.tag).localname, {child.tag: child.text or "" for child in arg}


def _handler(stand_in: StandInPayfip):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body: bytes, content_type: str = "text/xml; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if urlsplit(self.path).path != "/tpa/services/securite":
                return self._send(404, b"")
            if stand_in.unavailable:
                stand_in.unavailable -= 1
                return self._send(503, b"Service Unavailable", "text/plain")
            if not self.headers.get("Content-Type", "").startswith("text/xml"):
                return self._send(415, b"")
            try:
                operation, fields = _call_read(body)
            except (etree.XMLSyntaxError, ValueError, IndexError, TypeError):
                return self._send(500, _fault("TechProtocolaireErreur", "T2", "Message SOAP illisible"))
            self._send(*stand_in.handle(operation, fields))

        def do_GET(self):
            parts = urlsplit(self.path)
            idop = parse_qs(parts.query).get("idop", [""])[0]
            if parts.path != "/tpa/paiementws.web" or idop not in stand_in.operations:
                return self._send(404, b"")
            page = f"<html><body><h1>PayFiP</h1><p>Paiement {idop}</p></body></html>".encode()
            self._send(200, page, "text/html; charset=utf-8")

    return Handler


@contextmanager
def stand_in_payfip():
    stand_in = StandInPayfip()
    with http_serving(_handler(stand_in)) as url:
        stand_in.url = url
        yield stand_in
