"""What the state's data APIs (API Entreprise, API Particulier) have in common: the access an
organisation holds (a token, its SIRET as `recipient`, the `context` and `object` of each call),
their typed errors (down, slow, not found, rate-limited, unauthorised), the data each one gives a
form field, and the one GET that every call makes (docs/exchange.md, decision 0032).

A call is made while a person waits for their form page: one attempt with a short timeout, never
retried; whatever fails, the field falls back to typed input."""

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from .base import ConnectorError, ConnectorRejected, ConnectorUnavailable
from .http import HttpPolicy, http_request


class SourceNotFound(ConnectorRejected):
    """The source knows nothing of this company or person (HTTP 404, or 422 for an identifier it
    refuses)."""


class SourceUnauthorised(ConnectorRejected):
    """The token was refused (HTTP 401 or 403): expired, revoked, or not entitled to this data."""


class SourceRateLimited(ConnectorUnavailable):
    """Too many requests (HTTP 429): `retry_after` seconds to wait, when the source said."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SourceAccess:
    """What a call needs besides its subject: the organisation's token (never in procedure
    documents), its SIRET (`recipient`), the legal frame of the calls (`context`) and what this call
    is for (`object`: the procedure)."""

    token: str
    recipient: str
    context: str
    object: str

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"SourceAccess(recipient={self.recipient!r}, context={self.context!r}, object={self.object!r})"


@dataclass(frozen=True)
class PivotIdentity:
    """A person as FranceConnect certifies them (the « identité pivot »): all first names, birth
    name, birth date, sex (`M`/`F`), INSEE codes of the commune (empty when born abroad) and country."""

    given_names: tuple[str, ...]
    family_name: str
    birthdate: dt.date
    sex: str
    birthplace: str
    birthcountry: str


# The data each source can give a form field: its name in procedure documents → what the builder
# and the applicant read.
COMPANY_DATA = {
    "legal_name": "Raison sociale (ou nom de l’entrepreneur)",
    "address": "Adresse de l’établissement",
    "legal_form": "Forme juridique",
    "activity_code": "Activité principale (code NAF/APE)",
    "administrative_status": "État administratif de l’entreprise",
    "establishment_status": "État administratif de l’établissement",
}
INDIVIDUAL_DATA = {
    "family_quotient": "Quotient familial (CAF ou MSA)",
    "student_status": "Statut étudiant (inscrit pour l’année en cours)",
    "job_seeker_status": "Inscription comme demandeur d’emploi (France Travail)",
}
# The data asked with an identifier the person gives (not their civil identity): its name in a form.
IDENTIFIED_DATA = {"job_seeker_status": "Votre identifiant France Travail"}
PROVIDER_NAMES = {"api_entreprise": "API Entreprise", "api_particulier": "API Particulier"}

_ANSWERED = (400, 401, 403, 404, 422, 429, 500)
_QUERY = re.compile(r"\?[^\s)'\"]*")


def source_get(url: str, *, params: dict, token: str, policy: HttpPolicy, system: str) -> dict:
    """GET `url` with the bearer `token` and the query `params` (lists as repeated `name[]`); the JSON
    body of a 200. Raises SourceNotFound, SourceUnauthorised, SourceRateLimited, ConnectorTimeout,
    ConnectorUnavailable (down, 5xx, not JSON) or ConnectorRejected (a request it refuses)."""
    query = urlencode(
        [(f"{name}[]", item) for name, value in params.items() if isinstance(value, list | tuple) for item in value]
        + [(name, value) for name, value in params.items() if not isinstance(value, list | tuple)]
    )
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": "Guichet"}
    try:
        response = http_request(
            "GET", f"{url}?{query}", headers=headers, policy=policy, system=system, answered=_ANSWERED
        )
        failure = None
    except ConnectorError as error:
        failure = _without_query(error)
    if failure is not None:
        raise failure  # out of the `except`: the original, with the query, is not chained to it
    status = response.status_code
    if status == 200:
        try:
            return response.json()
        except requests.JSONDecodeError as error:
            raise ConnectorUnavailable(f"{system} : réponse illisible ({error})") from error
    detail = _error_detail(response)
    if status in (404, 422):
        raise SourceNotFound(f"{system} : introuvable ({detail})")
    if status in (401, 403):
        raise SourceUnauthorised(f"{system} : jeton refusé, HTTP {status} ({detail})")
    if status == 429:
        retry_after = response.headers.get("Retry-After", "")
        raise SourceRateLimited(
            f"{system} : trop de requêtes ({detail})", retry_after=int(retry_after) if retry_after.isdigit() else None
        )
    if status == 500:
        raise ConnectorUnavailable(f"{system} indisponible : HTTP 500 ({detail})")
    raise ConnectorRejected(f"{system} a refusé la demande : HTTP {status} ({detail})")


def _without_query(error: ConnectorError) -> ConnectorError:
    """The same failure without the request's query string: API Particulier's carries the person's
    civil identity (names, birth date and place), which must stay out of logs and stored errors."""
    return type(error)(_QUERY.sub("?…", str(error)))


def _error_detail(response: requests.Response) -> str:
    """The sources' standard error body, `{"errors": [{"code", "title", "detail"}]}`, in one line."""
    try:
        errors = response.json().get("errors") or []
        return "; ".join(f"{e.get('code', '')} {e.get('title', '')} : {e.get('detail', '')}" for e in errors)
    except (ValueError, AttributeError):
        return response.text[:200]
