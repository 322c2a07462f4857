import pytest

from tests.factories import DossierFactory, UserFactory


@pytest.fixture
def dossier(db):
    return DossierFactory(accepted=True)


@pytest.fixture
def agent(db):
    return UserFactory()
