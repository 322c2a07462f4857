import pytest

from guichet.connectors.http import HttpPolicy
from guichet.connectors.payfip.connector import PayfipPayment
from tests.connectors.payfip.stand_in import NUMCLI, stand_in_payfip


@pytest.fixture
def payfip():
    with stand_in_payfip() as stand_in:
        yield stand_in


@pytest.fixture
def payfip_settings(payfip, settings):
    """Guichet configured towards the stand-in, as an administrator would for PayFiP's test mode."""
    settings.GUICHET_PAYFIP_NUMCLI = NUMCLI
    settings.GUICHET_PAYFIP_SAISIE = "T"
    settings.GUICHET_PAYFIP_URL = payfip.service_url
    settings.GUICHET_PAYFIP_PAYMENT_URL = payfip.payment_url
    settings.GUICHET_PAYFIP_TIMEOUT = 5
    return payfip


def payfip_connector(payfip, **policy) -> PayfipPayment:
    return PayfipPayment(
        numcli=NUMCLI,
        mode="T",
        url=payfip.service_url,
        payment_url=payfip.payment_url,
        policy=HttpPolicy(**{"timeout": 5, "backoff": 0, **policy}),
    )
