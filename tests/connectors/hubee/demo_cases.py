"""The stand-in HubEE of the demonstration: the town hall's client for « EtatCivil » (guichet/demo/
hubee_cases.py) and service-public.fr's, which has deposited the demo's requests."""

from guichet.demo.hubee_cases import (
    CLIENT_ID,
    CLIENT_SECRET,
    DATA_TYPE,
    PROCESS_CODE,
    SERVICE_PUBLIC_SIRET,
    TOWN_SIRET,
    demo_requests,
)

from .hub import Hub


def demo_hub() -> Hub:
    hub = Hub(deterministic=True)
    hub.client_add(scope="SI", process_code=PROCESS_CODE, siret=TOWN_SIRET, client_id=CLIENT_ID, secret=CLIENT_SECRET)
    osl = hub.client_add(scope="OSL", process_code=PROCESS_CODE, siret=SERVICE_PUBLIC_SIRET)
    for number, (applicant, data) in enumerate(demo_requests(), start=1):
        files = [("demande.json", DATA_TYPE, "application/json", data)]
        reference = f"SPF-ETATCIVIL-{number:04d}"
        hub.folder_deposit(osl=osl, recipient_siret=TOWN_SIRET, applicant=applicant, files=files, external_id=reference)
    return hub
