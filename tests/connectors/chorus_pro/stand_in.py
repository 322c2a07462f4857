"""A stand-in PISTE and Chorus Pro: an HTTP server on 127.0.0.1 that speaks the documented
contract (/work/shared/reference/connectors.md §2.1):

- `POST /api/oauth/token`: OAuth 2.0 client credentials (form body); {access_token, token_type:
  Bearer, expires_in, scope: openid}; 401 invalid_client for other credentials;
- every `/cpro/…` call: a live Bearer token (401 otherwise) and `cpro-account` = base64(login:password)
  of the technical account (401 otherwise), a JSON body;
- `POST /cpro/factures/v1/deposer/flux` {fichierFlux, nomFichier, syntaxeFlux, avecSignature}:
  {codeRetour: 0, numeroFluxDepot, dateDepot}; 400 {codeRetour, libelle} for a syntax it does not
  take. The Factur-X file is checked as Chorus Pro does on integration: the XML inside the PDF, valid
  against the EN 16931 XSD, and a recipient (buyer SIRET) that the directory knows;
- `POST /cpro/transverses/v1/consulterCRDetaille` {numeroFluxDepot}: etatCourantDepotFlux
  (IN_EN_COURS_TRAITEMENT for `polls_before_integrated` polls, then IN_INTEGRE or IN_REJETE with
  listeErreurDP[].libelleErreurDP);
- `POST /cpro/factures/v1/rechercher/fournisseur` {numeroFluxDepot}: listeFactures[] with
  identifiantFactureCPP, numeroFacture, statut;
- `POST /cpro/factures/v1/consulter/historique` {idFacture}: statutCourantCode and
  historiquesDesStatuts.histoStatut[] (histoStatutCode, histoStatutDatePassage, histoStatutCommentaire).

The company's side is played by the test: `invoice_status_set(number, code, comment)`. Its `script`
makes the next requests fail the ways a network and a busy platform do."""

import base64
import datetime as dt
import itertools
import json
import secrets
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import facturx
from lxml import etree

from tests.connectors.serving import ServedStandIn

UNAVAILABLE = "unavailable"  # HTTP 503
TOO_MANY = "too_many"  # HTTP 429: PISTE's quota, not handled
SLOW = "slow"  # handled, but answered after `slow_seconds`
# Handled, then the answer is lost: PISTE's gateway answers 504; the connection is cut; a 200 whose
# body is an error page of a proxy.
GATEWAY_TIMEOUT, CUT, GARBLED = "gateway_timeout", "cut", "garbled"
NORMAL = "normal"
SYNTAXES = {"IN_DP_E2_CII_FACTURX", "IN_DP_E1_CII_16B", "IN_DP_E2_UBL_INVOICE_MIN"}


@dataclass
class Flow:
    number: str
    file_name: str
    invoice_number: str
    errors: list[str]
    polls_left: int
    invoice_id: int | None = None


@dataclass
class PlatformInvoice:
    id: int
    number: str
    history: list[dict] = field(default_factory=list)


class StandInChorusPro(ServedStandIn):
    def __init__(self):
        # The PISTE application's credentials and the Chorus Pro technical account's.
        self.client_id, self.client_secret = "guichet-app", secrets.token_urlsafe(12)
        self.login, self.password = "TECH_guichet@cpro.fr", secrets.token_urlsafe(12)
        self.account = base64.b64encode(f"{self.login}:{self.password}".encode()).decode()
        self.token_lifetime = 3600
        self.tokens: dict[str, float] = {}  # token → expiry (monotonic)
        self.tokens_issued = 0
        self.known_sirets: set[str] = set()  # the directory of recipients; empty: every SIRET is known
        self.polls_before_integrated = 1
        self.flows: dict[str, Flow] = {}
        self.invoices: dict[int, PlatformInvoice] = {}
        self.deposits: list[str] = []  # the invoice number of each deposit received, in order
        self.script: list[str] = []
        self.slow_seconds = 1.0
        self._ids = itertools.count(1000001)
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.oauth_url = f"{self.url}/api/oauth/token"

    def tokens_expire(self) -> None:
        """Every token issued stops being accepted (as after its expires_in)."""
        with self._lock:
            self.tokens = dict.fromkeys(self.tokens, 0.0)

    def invoice_status_set(self, number: str, code: str, comment: str = "") -> None:
        """The company (or Chorus Pro) moves the invoice `number` on: MISE_EN_PAIEMENT, REJETEE…"""
        with self._lock:
            invoice = next(invoice for invoice in self.invoices.values() if invoice.number == number)
            invoice.history.append(_status(code, comment))

    def _next(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else NORMAL

    def _token(self) -> dict:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = time.monotonic() + self.token_lifetime
            self.tokens_issued += 1
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime, "scope": "openid"}

    def _authorised(self, headers) -> bool:
        bearer = (headers.get("Authorization") or "").removeprefix("Bearer ")
        with self._lock:
            live = self.tokens.get(bearer, 0.0) > time.monotonic()
        return live and headers.get("cpro-account") == self.account

    def _deposit(self, body: dict) -> tuple[int, dict]:
        if body.get("syntaxeFlux") not in SYNTAXES:
            return 400, {"codeRetour": 20001, "libelle": "GCU_MSG_05_001 : syntaxe du flux inconnue"}
        if not body.get("nomFichier") or not body.get("fichierFlux"):
            return 400, {"codeRetour": 20002, "libelle": "GCU_MSG_05_002 : fichier ou nom de fichier absent"}
        pdf = base64.b64decode(body["fichierFlux"])
        invoice_number, errors = self._integration_check(pdf)
        number = f"CPP{dt.date.today():%Y%m%d}{next(self._ids)}"
        with self._lock:
            self.flows[number] = Flow(number, body["nomFichier"], invoice_number, errors, self.polls_before_integrated)
            self.deposits.append(invoice_number)
        return 200, {
            "codeRetour": 0,
            "libelle": "GCU_MSG_01_000",
            "numeroFluxDepot": number,
            "dateDepot": f"{dt.date.today()}",
        }

    def _integration_check(self, pdf: bytes) -> tuple[str, list[str]]:
        try:
            _, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
        except Exception as error:  # noqa: BLE001 (whatever the PDF is, Chorus Pro answers a rejection)
            return "", [f"Fichier illisible : {error}"]
        if not xml:
            return "", ["Le fichier ne contient pas de XML Factur-X."]
        document = etree.fromstring(xml)
        number = document.findtext("{*}ExchangedDocument/{*}ID") or ""
        try:
            facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        except Exception as error:  # noqa: BLE001
            return number, [f"Le XML n’est pas conforme au profil EN 16931 : {error}"]
        buyer = document.findtext(".//{*}BuyerTradeParty/{*}GlobalID") or ""
        if self.known_sirets and buyer not in self.known_sirets:
            return number, [f"Le destinataire {buyer} n’est pas une structure active de l’annuaire Chorus Pro."]
        return number, []

    def _report(self, body: dict) -> dict:
        with self._lock:
            flow = self.flows.get(str(body.get("numeroFluxDepot")))
            if flow is None:
                return {"codeRetour": 20003, "libelle": "Flux inconnu"}
            if flow.polls_left > 0:
                flow.polls_left -= 1
                return {
                    "codeRetour": 0,
                    "numeroFluxDepot": flow.number,
                    "etatCourantDepotFlux": "IN_EN_COURS_TRAITEMENT",
                }
            if flow.errors:
                return {
                    "codeRetour": 0,
                    "numeroFluxDepot": flow.number,
                    "etatCourantDepotFlux": "IN_REJETE",
                    "listeErreurDP": [
                        {"numeroFacture": flow.invoice_number, "libelleErreurDP": e} for e in flow.errors
                    ],
                    "listeErreurTechnique": [],
                }
            if flow.invoice_id is None:
                flow.invoice_id = next(self._ids)
                self.invoices[flow.invoice_id] = PlatformInvoice(
                    flow.invoice_id, flow.invoice_number, [_status("DEPOSEE"), _status("MISE_A_DISPOSITION")]
                )
            return {"codeRetour": 0, "numeroFluxDepot": flow.number, "etatCourantDepotFlux": "IN_INTEGRE"}

    def _search(self, body: dict) -> dict:
        with self._lock:
            flow = self.flows.get(str(body.get("numeroFluxDepot")))
            found = [] if flow is None or flow.invoice_id is None else [self.invoices[flow.invoice_id]]
            return {
                "codeRetour": 0,
                "listeFactures": [
                    {
                        "identifiantFactureCPP": i.id,
                        "numeroFacture": i.number,
                        "statut": i.history[-1]["histoStatutCode"],
                    }
                    for i in found
                ],
            }

    def _history(self, body: dict) -> dict:
        with self._lock:
            invoice = self.invoices.get(int(body.get("idFacture") or 0))
            if invoice is None:
                return {"codeRetour": 20004, "libelle": "Facture inconnue"}
            return {
                "codeRetour": 0,
                "idFacture": invoice.id,
                "numeroFacture": invoice.number,
                "statutCourantCode": invoice.history[-1]["histoStatutCode"],
                "historiquesDesStatuts": {"histoStatut": list(invoice.history)},
            }


def _status(code: str, comment: str = "") -> dict:
    return {
        "histoStatutCode": code,
        "histoStatutDatePassage": dt.datetime.now(dt.UTC).isoformat(),
        "histoStatutCommentaire": comment,
    }


ROUTES = {
    "/cpro/factures/v1/deposer/flux": lambda s, body: s._deposit(body),
    "/cpro/transverses/v1/consulterCRDetaille": lambda s, body: _answered(s._report(body)),
    "/cpro/factures/v1/rechercher/fournisseur": lambda s, body: _answered(s._search(body)),
    "/cpro/factures/v1/consulter/historique": lambda s, body: _answered(s._history(body)),
}


def _answered(answer: dict) -> tuple[int, dict]:
    return (200 if answer.get("codeRetour") == 0 else 400), answer


def _handler(chorus: StandInChorusPro):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            behaviour = chorus._next()
            if behaviour == UNAVAILABLE:
                return self._answer(503, {"message": "Service indisponible"})
            if behaviour == TOO_MANY:
                return self._answer(429, {"message": "Quota de requêtes dépassé"})
            if self.path == "/api/oauth/token":
                form = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
                if form.get("grant_type") != "client_credentials" or (
                    form.get("client_id"),
                    form.get("client_secret"),
                ) != (
                    chorus.client_id,
                    chorus.client_secret,
                ):
                    return self._answer(401, {"error": "invalid_client"})
                return self._answer(200, chorus._token())
            route = ROUTES.get(self.path)
            if route is None:
                return self._answer(404, {"message": "Ressource inconnue"})
            if not chorus._authorised(self.headers):
                return self._answer(401, {"message": "Jeton ou compte technique invalide"})
            if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                return self._answer(415, {"message": "JSON attendu"})
            status, answer = route(chorus, json.loads(raw or b"{}"))
            if behaviour == SLOW:
                chorus._released.wait(chorus.slow_seconds)
            if behaviour == GATEWAY_TIMEOUT:
                return self._answer(504, {"message": "Gateway Timeout"})
            if behaviour == CUT:
                self.close_connection = True
                return self.connection.shutdown(socket.SHUT_RDWR)
            if behaviour == GARBLED:
                return self._answer(200, b"<html><body>Maintenance</body></html>")
            return self._answer(status, answer)

        def _answer(self, status: int, body: dict | bytes):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return Handler


@contextmanager
def stand_in_chorus_pro():
    with StandInChorusPro() as chorus:
        yield chorus
