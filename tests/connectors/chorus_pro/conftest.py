import pytest

from guichet.connectors.chorus_pro.connector import ChorusPro
from guichet.connectors.chorus_pro.token import piste_tokens_forget
from guichet.connectors.http import HttpPolicy
from tests.connectors.chorus_pro.stand_in import stand_in_chorus_pro


@pytest.fixture
def chorus():
    piste_tokens_forget()
    with stand_in_chorus_pro() as stand_in:
        yield stand_in
    piste_tokens_forget()


def chorus_connector(chorus, *, client_secret=None, password=None, **policy) -> ChorusPro:
    """The connector towards the stand-in, with its credentials unless told otherwise."""
    return ChorusPro(
        url=chorus.url,
        oauth_url=chorus.oauth_url,
        client_id=chorus.client_id,
        client_secret=chorus.client_secret if client_secret is None else client_secret,
        login=chorus.login,
        password=chorus.password if password is None else password,
        policy=HttpPolicy(**{"timeout": 5, "backoff": 0, **policy}),
    )
