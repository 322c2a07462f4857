"""HubEE: cases received and turned into dossiers per second against the local stand-in HubEE
(tests/connectors/hubee/stand_in.py). A batch of service-public.fr's birth certificate requests is
deposited for the demo's town hall; one polling round then reads the notifications, each case and its
data attachment, files a dossier per case (its answers from the mapping, its number, its follow-up
chain written), and deletes the notifications. The follow-up chains (receipt, SI_RECEIVED sent back)
are the worker's, after the commit: not counted here.

`python -m bench.hubee [count]` runs it alone (over bench/settings.py's database, the demo loaded);
`hubee_figures(count)` gives the figures to bench/run.py."""

import sys
import time
from pathlib import Path

CASES = 100
PROCESS_CODE = "BenchEtatCivil"


def hubee_figures(count: int = CASES) -> list:
    from django.conf import settings

    from bench.run import Figure
    from guichet.accounts.models import OrganisationRole
    from guichet.connectors.hubee.client import tokens_forget
    from guichet.demo.hubee_cases import DATA_TYPE, MAPPING, PROCEDURE_SLUG, TOWN_SIRET, demo_requests
    from guichet.exchanges.models import HubeeSubscription
    from guichet.exchanges.receiving import hubee_poll
    from guichet.exchanges.services import hubee_mappings_replace, hubee_subscription_create
    from guichet.procedures.models import Procedure
    from tests.connectors.hubee.stand_in import stand_in_start

    stand_in = stand_in_start()
    tokens_forget()
    settings.GUICHET_HUBEE_API_URL = stand_in.api_url
    settings.GUICHET_HUBEE_TOKEN_URL = stand_in.token_url
    hub = stand_in.hub
    si = hub.client_add(scope="SI", process_code=PROCESS_CODE, siret=TOWN_SIRET)
    osl = hub.client_add(scope="OSL", process_code=PROCESS_CODE, siret="13000918600011")
    procedure = Procedure.objects.get(slug=PROCEDURE_SLUG)
    administrator = (
        OrganisationRole.objects.filter(
            organisation=procedure.organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
        )
        .first()
        .user
    )
    # Only the bench's subscription is polled: the demo's waits for its own stand-in.
    HubeeSubscription.objects.filter(process_code=PROCESS_CODE).delete()
    paused = list(HubeeSubscription.objects.filter(active=True).values_list("pk", flat=True))
    HubeeSubscription.objects.filter(pk__in=paused).update(active=False)
    subscription = hubee_subscription_create(
        actor=administrator,
        organisation=procedure.organisation,
        procedure=procedure,
        process_code=PROCESS_CODE,
        client_id=si.client_id,
        client_secret=si.secret,
        data_attachment_type=DATA_TYPE,
    )
    hubee_mappings_replace(actor=administrator, subscription=subscription, pairs=MAPPING)
    requests = demo_requests()
    for index in range(count):
        applicant, data = requests[index % len(requests)]
        files = [("demande.json", DATA_TYPE, "application/json", data)]
        hub.folder_deposit(osl=osl, recipient_siret=TOWN_SIRET, applicant=applicant, files=files)
    try:
        started = time.perf_counter()
        report = hubee_poll(batch=count)
        elapsed = time.perf_counter() - started
    finally:
        HubeeSubscription.objects.filter(pk__in=paused).update(active=True)
        subscription.active = False
        subscription.save(update_fields=["active"])
        stand_in.server.shutdown()
        stand_in.server.server_close()
        tokens_forget()
    if report.received != count:
        raise RuntimeError(f"HubEE bench: {report.received} dossiers made of {count} cases ({report.failures})")
    return [Figure("hubee_cases_to_dossiers_per_second", count / elapsed, "cases/s")]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.run import figures_print

    figures_print(hubee_figures)
