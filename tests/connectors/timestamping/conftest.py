import pytest

from tests.connectors.timestamping.stand_in import stand_in_tsa


@pytest.fixture
def tsa(tmp_path):
    with stand_in_tsa(tmp_path / "tsa") as authority:
        yield authority
