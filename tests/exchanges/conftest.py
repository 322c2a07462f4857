"""A town hall subscribed to a HubEE démarche (civil-status certificates), against the stand-in HubEE."""

import json

import pytest

from guichet.accounts.models import OrganisationRole
from guichet.exchanges.services import hubee_mappings_replace, hubee_subscription_create
from tests.connectors.hubee.conftest import hubee  # noqa: F401 (the fixture)
from tests.factories import OrganisationFactory, ProcedureFactory, UserFactory
from tests.samples import minimal_pdf

TOWN_SIRET = "21730001200017"
PROCESS = "EtatCivil"
DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Demande d’acte",
            "fields": [
                {"id": "nom", "type": "text", "label": "Nom", "required": True},
                {"id": "prenom", "type": "text", "label": "Prénom", "required": True},
                {"id": "courriel", "type": "email", "label": "Courriel"},
                {"id": "type_acte", "type": "text", "label": "Type d’acte", "required": True},
                {"id": "date_evenement", "type": "date", "label": "Date de l’événement"},
                {"id": "reference", "type": "text", "label": "Référence service-public.fr"},
                {"id": "justificatif", "type": "file", "label": "Justificatif"},
            ],
        }
    ]
}
MAPPING = [
    ("nom", "applicant.lastName"),
    ("prenom", "applicant.firstName"),
    ("courriel", "applicant.email"),
    ("type_acte", "data.demande.acte.type"),
    ("date_evenement", "data.demande.acte.date"),
    ("reference", "case.externalId"),
    ("justificatif", "attachment.JUSTIFICATIF"),
]
PDF = minimal_pdf()


def demand(kind: str = "naissance", date: str = "1990-04-12") -> bytes:
    return json.dumps({"demande": {"acte": {"type": kind, "date": date, "commune": "Sainte-Croix"}}}).encode()


@pytest.fixture
def town_setup(db, settings, hubee):  # noqa: F811
    settings.GUICHET_HUBEE_API_URL = hubee.api_url
    settings.GUICHET_HUBEE_TOKEN_URL = hubee.token_url
    settings.GUICHET_HUBEE_TIMEOUT = 5
    town = OrganisationFactory(name="Mairie de Sainte-Croix", siret=TOWN_SIRET)
    administrator = UserFactory()
    OrganisationRole.objects.create(
        user=administrator, organisation=town, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    procedure = ProcedureFactory(organisation=town, draft_definition=DEFINITION, title="Demande d’acte d’état civil")
    si = hubee.hub.client_add(scope="SI", process_code=PROCESS, siret=TOWN_SIRET)
    osl = hubee.hub.client_add(scope="OSL", process_code=PROCESS, siret="13002526500013")
    subscription = hubee_subscription_create(
        actor=administrator,
        organisation=town,
        procedure=procedure,
        process_code=PROCESS,
        client_id=si.client_id,
        client_secret=si.secret,
        data_attachment_type="DEMANDE",
    )
    hubee_mappings_replace(actor=administrator, subscription=subscription, pairs=MAPPING)
    return {
        "hubee": hubee,
        "osl": osl,
        "subscription": subscription,
        "procedure": procedure,
        "administrator": administrator,
    }


def deposit(setup, *, data: bytes | None = None, with_file: bool = True, last_name: str = "Martin") -> dict:
    """What service-public.fr does: a folder for the town hall, with the demand's data and a file."""
    files = [("demande.json", "DEMANDE", "application/json", data or demand())]
    if with_file:
        files.append(("justificatif.pdf", "JUSTIFICATIF", "application/pdf", PDF))
    applicant = {"firstName": "Camille", "lastName": last_name, "email": "camille.martin@exemple.fr"}
    return setup["hubee"].hub.folder_deposit(
        osl=setup["osl"], recipient_siret=TOWN_SIRET, applicant=applicant, files=files
    )
