"""The HubEE credentials that a subscription (SI) or a procedure's transmission (OSL) keeps."""

from guichet.connectors.hubee.client import HubeeCredentials

from .models import HubeeSubscription, HubeeTransmission


def subscription_credentials(subscription: HubeeSubscription) -> HubeeCredentials:
    return HubeeCredentials(client_id=subscription.client_id, client_secret=subscription.client_secret, scope="SI")


def transmission_credentials(transmission: HubeeTransmission) -> HubeeCredentials:
    return HubeeCredentials(client_id=transmission.client_id, client_secret=transmission.client_secret, scope="OSL")
