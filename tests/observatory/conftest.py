import pytest

from guichet.accounts.models import OrganisationRole
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Mairie de Test")


@pytest.fixture
def steering(organisation):
    """A person with the steering role in `organisation`."""
    user = UserFactory(email="pilotage@exemple.fr")
    OrganisationRole.objects.create(user=user, organisation=organisation, role=OrganisationRole.Role.STEERING)
    return user
