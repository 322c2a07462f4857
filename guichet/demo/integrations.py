"""The demonstration's link with an administration's own software: one service account of the town
hall (its key published, as the demo passwords are, so that the API can be tried with curl after any
`make run`), and one webhook subscription to the local receiver that `manage.py webhooks_receiver`
runs (`make run` starts it), which reads the subscription's secret from the database to verify each
signature."""

from django.core.exceptions import ValidationError

from guichet.accounts.data_access import data_access_set
from guichet.accounts.models import DataSourceAccess, Organisation, User
from guichet.api.models import ServiceAccount
from guichet.api.scopes import Scope
from guichet.api.service_accounts import service_account_create, service_token_create
from guichet.webhooks.models import WebhookEvent, WebhookSubscription
from guichet.webhooks.services import subscription_create

DEMO_SERVICE_ACCOUNT = "Logiciel de gestion des dossiers de la mairie"
# Published on purpose (README): a demonstration key, as the demo passwords are. A key printed once
# would be lost at the second `make run` (the demo loads only what is missing).
DEMO_SERVICE_KEY = "gcs_demo-mairie-sainte-croix-en-val-cle-publiee-2026"  # noqa: S105
DEMO_WEBHOOKS_PORT = 8001
DEMO_WEBHOOKS_URL = f"http://127.0.0.1:{DEMO_WEBHOOKS_PORT}/"
DEMO_DATA_TOKEN = "jeton-de-demonstration"  # noqa: S105 (published: the demo's sources check no token)
# The SIRETs that the demonstration's API Entreprise knows (connectors/api_entreprise_demo/recorded.json):
# try one in « Demande de subvention de fonctionnement ».
DEMO_SIRETS = {"123 456 741 00016": "Union sportive de Sainte-Croix-en-Val", "123 456 758 00010": "Les Amis de l’orgue"}


def demo_integrations_load(*, administrator: User, town: Organisation) -> None:
    """The town hall's service account (read dossiers, manage webhooks) with its published key, and
    its subscription to every event, sent to the local receiver. Nothing when already there."""
    if not ServiceAccount.objects.filter(organisation=town, name=DEMO_SERVICE_ACCOUNT).exists():
        account = service_account_create(
            actor=administrator,
            organisation=town,
            name=DEMO_SERVICE_ACCOUNT,
            scopes=[Scope.DOSSIERS_READ, Scope.WEBHOOKS_MANAGE],
        )
        service_token_create(actor=administrator, account=account, key=DEMO_SERVICE_KEY)
    if not WebhookSubscription.objects.filter(organisation=town, url=DEMO_WEBHOOKS_URL).exists():
        try:
            subscription_create(
                organisation=town,
                procedure=None,
                url=DEMO_WEBHOOKS_URL,
                description="Récepteur de démonstration (manage.py webhooks_receiver)",
                events=list(WebhookEvent.values),
                actor=administrator,
            )
        except ValidationError:
            pass  # settings that refuse the loopback (not the development ones): no local receiver then

    # The town hall's habilitations to the state's data APIs (a published demonstration token: the
    # demonstration's sources answer with recorded data, docs/exchange.md).
    for provider in DataSourceAccess.Provider:
        if not DataSourceAccess.objects.filter(organisation=town, provider=provider).exists():
            data_access_set(actor=administrator, organisation=town, provider=provider, token=DEMO_DATA_TOKEN)
