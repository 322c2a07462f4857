import pytest

from tests.connectors.api_particulier.stand_in import stand_in_api_particulier


@pytest.fixture
def api_particulier():
    with stand_in_api_particulier() as stand_in:
        yield stand_in
