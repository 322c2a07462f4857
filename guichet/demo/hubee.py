"""The demonstration's HubEE subscription: the town hall receives « EtatCivil » requests from
service-public.fr as dossiers of its birth certificate procedure (guichet/demo/hubee_cases.py), from
the stand-in HubEE that `make run` starts; the polling loop of `manage.py serve` takes them in."""

from guichet.accounts.models import Organisation, User
from guichet.exchanges.models import HubeeSubscription
from guichet.exchanges.services import hubee_mappings_replace, hubee_subscription_create
from guichet.procedures.models import Procedure

from .hubee_cases import CLIENT_ID, CLIENT_SECRET, DATA_TYPE, MAPPING, PROCEDURE_SLUG, PROCESS_CODE


def demo_hubee_load(*, administrator: User, town: Organisation) -> None:
    """Subscribe the town hall to « EtatCivil » with its mapping; nothing when already there."""
    if HubeeSubscription.objects.filter(organisation=town, process_code=PROCESS_CODE).exists():
        return
    procedure = Procedure.objects.get(slug=PROCEDURE_SLUG)
    subscription = hubee_subscription_create(
        actor=administrator,
        organisation=town,
        procedure=procedure,
        process_code=PROCESS_CODE,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        data_attachment_type=DATA_TYPE,
    )
    hubee_mappings_replace(actor=administrator, subscription=subscription, pairs=MAPPING)
