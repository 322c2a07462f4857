"""Data sources for fields (docs/exchange.md): what a prefilled SIRET field adds to the form page.

- `form_page_prefilled_siret_p95`: the applicant's form page whose SIRET filled three certified
  fields (their SourcedValue rows read, the certified widgets shown), against the same page of the
  same form without sources (`baseline`, the fields typed);
- `siret_check_p95`: « Vérifier le SIRET », the whole POST (the page saved under its lock, then API
  Entreprise asked, here the tests' stand-in over local HTTP, the outcome recorded with its audit
  event, the redirect), against « Enregistrer le brouillon » of the same page (`baseline`).

Through Django's test client in process, over bench/settings.py's database (the demo loaded):
`python -m bench.sources [repeat]` runs it alone; `sources_figures(repeat)` gives bench/run.py its
figures."""

import itertools
import statistics
import sys
import uuid
from pathlib import Path

REPEAT = 200
SIRET, OTHER_SIRET = "12345670900013", "12345671700016"
FROM_SIRET = {"provider": "api_entreprise", "siret_field": "siret"}


def _definition(*, sourced: bool) -> dict:
    def field(field_id: str, kind: str, label: str, datum: str) -> dict:
        spec = {"id": field_id, "type": kind, "label": label}
        return {**spec, "source": {**FROM_SIRET, "datum": datum}} if sourced else spec

    fields = [
        {"id": "siret", "type": "siret", "label": "Numéro SIRET", "required": True},
        field("nom", "text", "Raison sociale", "legal_name"),
        field("adresse", "textarea", "Adresse", "address"),
        field("etat", "text", "État de l’établissement", "establishment_status"),
        *({"id": f"q{n}", "type": "text", "label": f"Question {n}"} for n in range(8)),
    ]
    return {"pages": [{"id": "entreprise", "title": "Votre entreprise", "fields": fields}]}


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def _timed(function, repeat: int) -> float:
    from bench.run import samples_ms

    return _p95(samples_ms(function, repeat))


def _procedure(user, organisation, *, sourced: bool):
    from guichet.procedures.models import Procedure
    from guichet.procedures.services import procedure_create, procedure_publish

    slug = f"bench-siret-{'source' if sourced else 'saisie'}-{uuid.uuid4().hex[:6]}"
    procedure = procedure_create(
        actor=user,
        organisation=organisation,
        title=f"Banc SIRET {slug}",
        slug=slug,
        definition=_definition(sourced=sourced),
    )
    procedure_publish(actor=user, procedure=procedure)
    return Procedure.objects.get(pk=procedure.pk)


def sources_figures(repeat: int = REPEAT) -> list:
    from django.test import Client, override_settings
    from django.urls import reverse

    from bench.run import Figure
    from guichet.accounts.models import Organisation, OrganisationRole, User
    from guichet.demo.integrations import DEMO_DATA_TOKEN
    from guichet.dossiers.services import dossier_create
    from tests.connectors.api_entreprise.stand_in import stand_in_api_entreprise

    organisation = Organisation.objects.get(slug="mairie-sainte-croix-en-val")
    administrator, _ = User.objects.get_or_create(email="bench-sources@bench.local")
    OrganisationRole.objects.get_or_create(
        user=administrator, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    applicant, _ = User.objects.get_or_create(email="bench-sources-usager@bench.local")
    applicant.first_name, applicant.last_name = "Camille", "Martin"
    applicant.save()
    client = Client(HTTP_HOST="bench.local")
    client.force_login(applicant)
    # The town hall's access is the demo's: the stand-in takes its token.
    with stand_in_api_entreprise(rate_limit=1_000_000, token=DEMO_DATA_TOKEN) as api:
        with override_settings(GUICHET_API_ENTREPRISE_URL=api.url):
            typed = dossier_create(actor=applicant, procedure=_procedure(administrator, organisation, sourced=False))
            prefilled = dossier_create(actor=applicant, procedure=_procedure(administrator, organisation, sourced=True))
            pages = {dossier: reverse("usager:dossier_page", args=[dossier.pk, 1]) for dossier in (typed, prefilled)}
            fields = {"siret": SIRET, "nom": "BOULANGERIE", "adresse": "12 rue des Moulins", "etat": "Ouvert"}

            def post(dossier, data, expected=302):
                response = client.post(pages[dossier], data)
                if response.status_code != expected:
                    raise RuntimeError(f"{pages[dossier]} answered {response.status_code}")

            def get(dossier):
                response = client.get(pages[dossier])
                if response.status_code != 200 or (dossier is prefilled and "Donnée certifiée" not in response.text):
                    raise RuntimeError(f"{pages[dossier]} answered {response.status_code} without its certified data")

            post(typed, {**fields, "_save": "1"})
            post(prefilled, {"siret": SIRET, "_source": "siret"})
            page_typed = _timed(lambda: get(typed), repeat)
            page_prefilled = _timed(lambda: get(prefilled), repeat)
            save = _timed(lambda: post(typed, {**fields, "_save": "1"}), repeat)
            # Two establishments in turn: a SIRET already checked is not asked again.
            sirets = itertools.cycle([OTHER_SIRET, SIRET])
            asked = len(api.requests)
            check = _timed(lambda: post(prefilled, {"siret": next(sirets), "_source": "siret"}), repeat)
            if len(api.requests) - asked < repeat:
                raise RuntimeError("« Vérifier le SIRET » did not ask API Entreprise at each click")
    return [
        Figure("form_page_prefilled_siret_p95", page_prefilled, "ms", baseline=page_typed),
        Figure("siret_check_p95", check, "ms", baseline=save),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.run import figures_print

    figures_print(sources_figures)
