"""API Particulier's v3 answers read into the data a form field takes (data_sources.INDIVIDUAL_DATA),
and what each endpoint is asked with: the « identité pivot » for the `/identite` endpoints, the
person's identifier at the provider for the others (France Travail's status is published only
`/identifiant`: etalab/siade_staging_data, payloads/api_particulier_v3_france_travail_statut_with_identifiant)."""

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

from ..base import ConnectorUnavailable
from ..data_sources import IDENTIFIED_DATA, PivotIdentity, SourceNotFound

ENDPOINTS = {
    "family_quotient": "/v3/dss/quotient_familial/identite",
    "student_status": "/v3/mesri/statut_etudiant/identite",
    "job_seeker_status": "/v3/france_travail/statut/identifiant",
}


def request_params(datum: str, person: PivotIdentity, identifier: str) -> dict[str, Any]:
    """The query of `datum`'s endpoint (without `recipient`): the identifier the person gave, for
    the data asked by identifier (data_sources.IDENTIFIED_DATA), else their civil identity."""
    if datum in IDENTIFIED_DATA:
        return {"identifiant": identifier}
    return identity_params(person)


def identity_params(person: PivotIdentity) -> dict[str, Any]:
    """The query parameters of the `/identite` endpoints (`prenoms` is sent as `prenoms[]`)."""
    params: dict[str, Any] = {
        "nomNaissance": person.family_name,
        "prenoms": list(person.given_names),
        "anneeDateNaissance": person.birthdate.year,
        "moisDateNaissance": person.birthdate.month,
        "jourDateNaissance": person.birthdate.day,
        "sexeEtatCivil": person.sex,
        "codeCogInseePaysNaissance": person.birthcountry or "99100",
    }
    if person.birthplace:
        params["codeCogInseeCommuneNaissance"] = person.birthplace
    return params


def _data(body: Any) -> dict:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise ConnectorUnavailable("API Particulier : réponse inattendue (pas de data)")
    return data


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _current(start: Any, end: Any, today: dt.date) -> bool:
    begins, ends = _date(start), _date(end)
    return (begins is None or begins <= today) and (ends is None or today <= ends)


def family_quotient_read(body: Any, today: dt.date) -> int:
    quotient = _data(body).get("quotient_familial") or {}
    try:
        return int(quotient["valeur"])
    except (KeyError, TypeError, ValueError) as error:
        raise ConnectorUnavailable("API Particulier : quotient familial absent de la réponse") from error


def student_status_read(body: Any, today: dt.date) -> bool:
    admissions = _data(body).get("admissions") or []
    return any(
        isinstance(item, dict)
        and bool(item.get("est_inscrit"))
        and _current(item.get("date_debut"), item.get("date_fin"), today)
        for item in admissions
    )


def _folded(text: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(c for c in decomposed if c.isalnum()).casefold()


def identity_check(body: Any, person: PivotIdentity) -> None:
    """An answer asked by identifier is about the person FranceConnect certified, or it is not
    theirs: the identifier typed could be anyone's. Birth name and birth date must match."""
    identity = _data(body).get("identite") or {}
    same_name = _folded(identity.get("nom_naissance")) == _folded(person.family_name)
    if not (same_name and _date(identity.get("date_naissance")) == person.birthdate):
        raise SourceNotFound("API Particulier : cet identifiant ne correspond pas à l’identité FranceConnect")


def job_seeker_status_read(body: Any, today: dt.date) -> bool:
    registration = _data(body).get("inscription") or {}
    return bool(registration) and _current(registration.get("date_debut"), registration.get("date_fin"), today)


READERS: dict[str, Callable[[Any, dt.date], int | bool]] = {
    "family_quotient": family_quotient_read,
    "student_status": student_status_read,
    "job_seeker_status": job_seeker_status_read,
}
