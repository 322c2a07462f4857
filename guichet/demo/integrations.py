"""The demonstration's link with an administration's own software: one service account of the town
hall (its key published, as the demo passwords are, so that the API can be tried with curl after any
`make run`), and one webhook subscription to the local receiver that `manage.py webhooks_receiver`
runs (`make run` starts it), which reads the subscription's secret from the database to verify each
signature."""

from django.core.exceptions import ValidationError

from guichet.accounts.models import Organisation, User
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
