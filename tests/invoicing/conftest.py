import pytest

from tests.connectors.chorus_pro.stand_in import stand_in_chorus_pro
from tests.factories import DossierFactory, UserFactory


@pytest.fixture
def dossier(db):
    return DossierFactory(accepted=True)


@pytest.fixture
def agent(db):
    return UserFactory()


@pytest.fixture
def chorus(settings):
    """A stand-in PISTE + Chorus Pro, set as the invoicing platform."""
    from guichet.connectors.chorus_pro.token import piste_tokens_forget  # noqa: PLC0415

    piste_tokens_forget()
    with stand_in_chorus_pro() as stand_in:
        settings.GUICHET_CHORUS_PRO_URL = stand_in.url
        settings.GUICHET_CHORUS_PRO_OAUTH_URL = stand_in.oauth_url
        settings.GUICHET_CHORUS_PRO_CLIENT_ID = stand_in.client_id
        settings.GUICHET_CHORUS_PRO_CLIENT_SECRET = stand_in.client_secret
        settings.GUICHET_CHORUS_PRO_LOGIN = stand_in.login
        settings.GUICHET_CHORUS_PRO_PASSWORD = stand_in.password
        settings.GUICHET_CHORUS_PRO_TIMEOUT = 5
        stand_in.polls_before_integrated = 0
        yield stand_in
    piste_tokens_forget()
