import pytest

from tests.connectors.api_entreprise.stand_in import stand_in_api_entreprise


@pytest.fixture
def api_entreprise():
    with stand_in_api_entreprise() as stand_in:
        yield stand_in
