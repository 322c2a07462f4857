import pytest

from guichet.connectors.http import HttpPolicy
from guichet.connectors.hubee.client import tokens_forget
from guichet.connectors.hubee.connector import HubeeExchange
from tests.connectors.hubee.stand_in import stand_in_hubee


@pytest.fixture
def hubee():
    """The stand-in HubEE, and no token kept from another test."""
    tokens_forget()
    with stand_in_hubee() as stand_in:
        yield stand_in
    tokens_forget()


def hubee_connector(hubee, **policy) -> HubeeExchange:
    return HubeeExchange(
        api_url=hubee.api_url, token_url=hubee.token_url, policy=HttpPolicy(**{"timeout": 5, "backoff": 0, **policy})
    )
