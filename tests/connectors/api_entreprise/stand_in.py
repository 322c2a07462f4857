"""A stand-in API Entreprise (v3) that speaks its documented contract (docs/exchange.md):

- `GET /v3/insee/sirene/etablissements/{siret}` with `Authorization: Bearer <token>` and the
  mandatory `context`, `recipient` (a SIRET: the administration's) and `object` parameters;
- 200 with the establishment's v3 body (`data`, `links`, `meta`): the recorded answers that the
  demonstration serves too (guichet/connectors/api_entreprise_demo/recorded.json);
- 404 for an unknown establishment, 422 for a SIRET that is not one, 400 when a mandatory
  parameter is missing, 401 for a missing or wrong token, each with the standard error body;
- rate limits (`RateLimit-*` headers, 429 with `Retry-After`) and the failures of
  tests/connectors/data_source_stand_in.py."""

import re
from contextlib import contextmanager

from stdnum.fr import siret as stdnum_siret

from guichet.connectors.api_entreprise_demo.connector import recorded_establishments
from tests.connectors.data_source_stand_in import error_body, missing_params, stand_in_serving

PATH = re.compile(r"^/v3/insee/sirene/etablissements/([^/]+)$")
PROVIDER = "INSEE"


def route(path: str, query: dict[str, list[str]]) -> tuple[int, dict]:
    match = PATH.match(path)
    if match is None:
        return 404, error_body("00404", "Route inconnue", f"Aucune route ne correspond à {path}.")
    missing = missing_params(query, ("context", "recipient", "object"))
    if missing:
        detail = f"Le ou les paramètres {', '.join(missing)} sont obligatoires."
        return 400, error_body("00301", "Paramètre manquant", detail, source={"parameter": missing[0]})
    if not stdnum_siret.is_valid(query["recipient"][0]):
        detail = "Le paramètre recipient n'est pas un numéro SIRET valide."
        return 422, error_body("00302", "Entité non traitable", detail)
    siret = match.group(1)
    if not stdnum_siret.is_valid(siret):
        return 422, error_body("00302", "Entité non traitable", "Le numéro de siret n'est pas correctement formatté.")
    body = recorded_establishments().get(siret)
    if body is None:
        detail = "Le numéro de siret indiqué n'existe pas, n'existe plus ou est transmis en erreur."
        return 404, error_body("14003", "Entité non trouvée", detail, provider=PROVIDER)
    return 200, body


@contextmanager
def stand_in_api_entreprise(**options):
    # The published volumetry: 250 requests a minute per token, all endpoints together.
    options = {"rate_limit": 250, "rate_window": 60, **options}
    with stand_in_serving(route, provider=PROVIDER, **options) as stand_in:
        yield stand_in
