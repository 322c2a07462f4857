"""A stand-in API Particulier (v3) that speaks its documented contract (docs/exchange.md): the token
in the `Authorization: Bearer` header only (a `token` query parameter is refused), the caller's
SIRET as the mandatory `recipient`, the person's civil identity (`nomNaissance`, `prenoms[]`,
`anneeDateNaissance`, `sexeEtatCivil`...) on the `/identite` endpoints of the family quotient
(CAF/MSA) and the student status, the France Travail identifier (`identifiant`) on the job-seeker
status's `/identifiant` (the only one published); 200 with the v3 body (`data`, `links`, `meta`) for
the people it knows, 404 for the others, 400 for a missing parameter, each error with the standard
body; the published rate limits (20 requests a second per token, 1,000 a minute per address) and
the failures of tests/connectors/data_source_stand_in.py."""

import copy
from contextlib import contextmanager

from stdnum.fr import siret as stdnum_siret

from guichet.connectors.api_particulier.reading import ENDPOINTS
from guichet.connectors.api_particulier_demo.connector import recorded_answers
from guichet.connectors.data_sources import IDENTIFIED_DATA
from tests.connectors.data_source_stand_in import error_body, missing_params, stand_in_serving

DATUM_OF_PATH = {path: datum for datum, path in ENDPOINTS.items()}
PROVIDERS = {"family_quotient": "CNAF & MSA", "student_status": "MESR", "job_seeker_status": "France Travail"}
IDENTITY = ("nomNaissance", "prenoms[]", "anneeDateNaissance", "sexeEtatCivil")
KNOWN = {"MARTIN"}  # the birth names it knows; everyone else is not found
KNOWN_IDENTIFIERS = {"1234567A"}  # the France Travail identifiers it knows: CAMILLE MARTIN's
LIMITS = {"rate_limit": 20, "rate_window": 1, "ip_limit": 1000, "ip_window": 60}


def route(path: str, query: dict[str, list[str]]) -> tuple[int, dict]:
    datum = DATUM_OF_PATH.get(path)
    if datum is None:
        return 404, error_body("00404", "Route inconnue", f"Aucune route ne correspond à {path}.")
    if "token" in query:
        return 400, error_body("00102", "Jeton dans l'URL", "Le jeton doit être transmis dans l'en-tête Authorization.")
    by_identifier = datum in IDENTIFIED_DATA
    missing = missing_params(query, ("recipient", *(("identifiant",) if by_identifier else IDENTITY)))
    if missing:
        detail = f"Le ou les paramètres {', '.join(missing)} sont obligatoires."
        return 400, error_body("00301", "Paramètre manquant", detail, source={"parameter": missing[0]})
    if not stdnum_siret.is_valid(query["recipient"][0]):
        detail = "Le paramètre recipient doit être le SIRET de l'appelant."
        return 422, error_body("00302", "Entité non traitable", detail)
    if by_identifier and query["identifiant"][0] not in KNOWN_IDENTIFIERS:
        detail = "Aucune situation France Travail n'a pu être trouvée avec les critères de recherche fournis."
        return 404, error_body("24003", "Entité non trouvée", detail, provider=PROVIDERS[datum])
    if not by_identifier and query["nomNaissance"][0].upper() not in KNOWN:
        detail = "Aucune donnée n'a pu être trouvée avec les critères de recherche fournis."
        return 404, error_body("37003", "Dossier allocataire absent", detail, provider=PROVIDERS[datum])
    return 200, copy.deepcopy(recorded_answers()[datum])


@contextmanager
def stand_in_api_particulier(**options):
    with stand_in_serving(route, provider="API Particulier", **{**LIMITS, **options}) as stand_in:
        yield stand_in
