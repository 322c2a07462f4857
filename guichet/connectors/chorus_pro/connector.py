"""Chorus Pro's API through PISTE (docs: /work/shared/reference/connectors.md §2.1; the OCA
l10n-france Chorus modules as reference implementation):

- every call: `Authorization: Bearer <PISTE token>` (token.py) and `cpro-account:
  base64(login:password)` of the Chorus Pro technical account, JSON bodies;
- deposit: `POST {url}/cpro/factures/v1/deposer/flux` {fichierFlux (base64), nomFichier,
  syntaxeFlux: IN_DP_E2_CII_FACTURX, avecSignature: false} → numeroFluxDepot;
- the deposit's report: `POST {url}/cpro/transverses/v1/consulterCRDetaille` {numeroFluxDepot} →
  etatCourantDepotFlux (IN_INTEGRE, IN_REJETE…), listeErreurDP / listeErreurTechnique;
- the invoice: `POST {url}/cpro/factures/v1/rechercher/fournisseur` {numeroFluxDepot} →
  listeFactures[].identifiantFactureCPP, then `POST {url}/cpro/factures/v1/consulter/historique`
  {idFacture} → statutCourantCode and historiquesDesStatuts.histoStatut[] (with their comments).

Settings: GUICHET_CHORUS_PRO_URL (selects Chorus Pro: https://api.piste.gouv.fr, or the sandbox),
GUICHET_CHORUS_PRO_OAUTH_URL (PISTE's token endpoint), GUICHET_CHORUS_PRO_CLIENT_ID /
GUICHET_CHORUS_PRO_CLIENT_SECRET (the PISTE application), GUICHET_CHORUS_PRO_LOGIN /
GUICHET_CHORUS_PRO_PASSWORD (the technical account) and GUICHET_CHORUS_PRO_TIMEOUT (seconds)."""

import base64
import json
from dataclasses import dataclass, field
from typing import Self

import requests
from django.conf import settings

from ..base import (
    ConnectorNotConfigured,
    ConnectorOutcomeUnknown,
    ConnectorRejected,
    ConnectorUnavailable,
    FlowReport,
    FlowState,
    InvoiceProgress,
    InvoicingConnector,
)
from ..http import HttpPolicy, http_request
from .token import SYSTEM, piste_token

SYNTAX_FACTURX = "IN_DP_E2_CII_FACTURX"
FLOW_STATES = {
    "IN_INTEGRE": FlowState.INTEGRATED,
    "IN_INTEGRE_PARTIEL": FlowState.INTEGRATED,
    "IN_REJETE": FlowState.REJECTED,
}
REJECTED, UNAUTHORISED = 400, 401
# Refused for what the platform's settings say (no right for the technical account, an address
# that is not the API's), never for the invoice: nothing was received, it waits for the fix.
MISCONFIGURED = frozenset({403, 404, 405})
MAX_FILE_BYTES = 10 * 1024 * 1024  # Chorus Pro's limit for one file
MAX_NAME_LENGTH = 50


@dataclass(frozen=True)
class ChorusPro(InvoicingConnector):
    name = "chorus_pro"
    setting_names = (
        "GUICHET_CHORUS_PRO_URL",
        "GUICHET_CHORUS_PRO_OAUTH_URL",
        "GUICHET_CHORUS_PRO_CLIENT_ID",
        "GUICHET_CHORUS_PRO_CLIENT_SECRET",
        "GUICHET_CHORUS_PRO_LOGIN",
        "GUICHET_CHORUS_PRO_PASSWORD",
        "GUICHET_CHORUS_PRO_TIMEOUT",
    )

    url: str
    oauth_url: str
    client_id: str
    client_secret: str = field(repr=False)
    login: str = ""
    password: str = field(repr=False, default="")
    policy: HttpPolicy = HttpPolicy(timeout=30)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_CHORUS_PRO_URL)

    @classmethod
    def from_settings(cls) -> Self:
        missing = [
            name
            for name in cls.setting_names[1:6]
            if not getattr(settings, name)  # every credential is needed: PISTE's and the account's
        ]
        if missing:
            raise ConnectorNotConfigured(
                f"Chorus Pro est choisi (GUICHET_CHORUS_PRO_URL) mais il manque {', '.join(missing)}."
            )
        return cls(
            url=settings.GUICHET_CHORUS_PRO_URL.rstrip("/"),
            oauth_url=settings.GUICHET_CHORUS_PRO_OAUTH_URL,
            client_id=settings.GUICHET_CHORUS_PRO_CLIENT_ID,
            client_secret=settings.GUICHET_CHORUS_PRO_CLIENT_SECRET,
            login=settings.GUICHET_CHORUS_PRO_LOGIN,
            password=settings.GUICHET_CHORUS_PRO_PASSWORD,
            policy=HttpPolicy(timeout=float(settings.GUICHET_CHORUS_PRO_TIMEOUT)),
        )

    def _call(self, path: str, body: dict, *, repeatable: bool = True) -> dict:
        """POST `body` to the API; a token that no longer holds is renewed once. Returns the JSON
        answer; ConnectorRejected with Chorus Pro's own words when it refuses the request."""
        for renew in (False, True):
            token = piste_token(
                oauth_url=self.oauth_url,
                client_id=self.client_id,
                client_secret=self.client_secret,
                policy=self.policy,
                renew=renew,
            )
            response = http_request(
                "POST",
                f"{self.url}{path}",
                data=json.dumps(body).encode(),
                headers={
                    "Authorization": f"Bearer {token}",
                    "cpro-account": base64.b64encode(f"{self.login}:{self.password}".encode()).decode(),
                    "Content-Type": "application/json;charset=utf-8",
                    "Accept": "application/json",
                },
                policy=self.policy,
                system=SYSTEM,
                answered={REJECTED, UNAUTHORISED, *MISCONFIGURED},
                repeatable=repeatable,
                cut_is_unknown=True,  # a deposit cannot be found again by itself (decision 0041)
            )
            if response.status_code != UNAUTHORISED:
                break
        if response.status_code == UNAUTHORISED:
            # Nothing was received: waits for the settings to be fixed, then goes on by itself.
            raise ConnectorUnavailable(
                f"{SYSTEM} refuse l’accès : vérifiez le compte technique et l’application PISTE."
            )
        if response.status_code in MISCONFIGURED:
            raise ConnectorUnavailable(
                f"{SYSTEM} : HTTP {response.status_code} sur {path} ; vérifiez GUICHET_CHORUS_PRO_URL "
                "et les droits du compte technique."
            )
        try:
            answer = _json(response)
        except ConnectorRejected as error:
            if repeatable or not response.ok:
                raise
            # Accepted, but what it answered cannot be read: it may well have done it.
            raise ConnectorOutcomeUnknown(f"{error} ; la demande a peut-être été prise en compte") from error
        if response.status_code == REJECTED or answer.get("codeRetour") not in (None, 0, "0"):
            label = answer.get("libelle") or f"HTTP {response.status_code}"
            raise ConnectorRejected(f"{SYSTEM} a refusé la demande : {label}")
        return answer

    def deposit(self, *, pdf: bytes, file_name: str) -> str:
        if len(file_name) > MAX_NAME_LENGTH or not file_name.endswith(".pdf"):
            raise ConnectorRejected(f"{SYSTEM} : nom de fichier refusé ({file_name}), 50 caractères au plus, en .pdf")
        if len(pdf) > MAX_FILE_BYTES:
            raise ConnectorRejected(f"{SYSTEM} : le fichier dépasse 10 Mo ({len(pdf)} octets)")
        answer = self._call(
            "/cpro/factures/v1/deposer/flux",
            {
                "fichierFlux": base64.b64encode(pdf).decode(),
                "nomFichier": file_name,
                "syntaxeFlux": SYNTAX_FACTURX,
                "avecSignature": False,
            },
            repeatable=False,
        )
        number = str(answer.get("numeroFluxDepot") or "")
        if not number:  # accepted without a number: the file may be there all the same
            raise ConnectorOutcomeUnknown(f"{SYSTEM} a accepté le dépôt sans donner son numéro")
        return number

    def flow_report(self, flow_number: str) -> FlowReport:
        answer = self._call("/cpro/transverses/v1/consulterCRDetaille", {"numeroFluxDepot": flow_number})
        code = str(answer.get("etatCourantDepotFlux") or "")
        state = FLOW_STATES.get(code, FlowState.PENDING)
        reasons = tuple(
            str(error.get("libelleErreurDP") or error.get("libelleErreur") or error)
            for error in [*(answer.get("listeErreurDP") or []), *(answer.get("listeErreurTechnique") or [])]
        )
        return FlowReport(state=state, code=code, reasons=reasons if state == FlowState.REJECTED else ())

    def invoice_progress(self, *, flow_number: str, invoice_id: str = "") -> InvoiceProgress | None:
        if not invoice_id:
            found = self._call("/cpro/factures/v1/rechercher/fournisseur", {"numeroFluxDepot": flow_number})
            invoices = found.get("listeFactures") or []
            if not invoices:
                return None
            invoice_id = str(invoices[0].get("identifiantFactureCPP") or "")
            if not invoice_id:
                return None
        answer = self._call("/cpro/factures/v1/consulter/historique", {"idFacture": int(invoice_id)})
        status = str(answer.get("statutCourantCode") or "")
        history = (answer.get("historiquesDesStatuts") or {}).get("histoStatut") or []
        current = [entry for entry in history if entry.get("histoStatutCode") == status]
        comment = str(current[-1].get("histoStatutCommentaire") or "") if current else ""
        return InvoiceProgress(invoice_id=invoice_id, status=status, reasons=(comment,) if comment else ())


def _json(response: requests.Response) -> dict:
    try:
        answer = json.loads(response.content or b"{}")
    except ValueError as error:
        raise ConnectorRejected(f"{SYSTEM} : réponse illisible (HTTP {response.status_code})") from error
    if not isinstance(answer, dict):
        raise ConnectorRejected(f"{SYSTEM} : réponse inattendue (HTTP {response.status_code})")
    return answer
