import io

import pytest

from guichet.connectors.base import ConnectorNotConfigured, ConnectorTimeout, ConnectorUnavailable, ScanTooLarge
from guichet.connectors.clamav.client import ClamdAddress, clamd_instream
from guichet.connectors.clamav.connector import ClamavAntivirus
from guichet.connectors.registry import connector_for
from tests.connectors.clamav.clamd import FOUND, free_port, silent_server
from tests.samples import EICAR, minimal_pdf


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_clamd_finds_the_eicar_test_file_and_passes_a_clean_file(clamd, transport):
    address = ClamdAddress.parse(getattr(clamd, transport))
    assert clamd_instream(address, io.BytesIO(EICAR), timeout=10) == FOUND
    assert clamd_instream(address, io.BytesIO(minimal_pdf()), timeout=10) is None


def test_a_file_larger_than_a_chunk_is_streamed_whole(clamd):
    # EICAR after 200 kB (several chunks): found only if every chunk reached clamd.
    stream = io.BytesIO(b"a" * 200_000 + EICAR)
    assert clamd_instream(ClamdAddress.parse(clamd.tcp), stream, timeout=10) == FOUND
    assert stream.tell() == 0  # left at its start, for the storage that keeps it next


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_a_file_above_clamds_stream_limit_is_said_too_large_not_unavailable(clamd_small_streams, transport):
    address = ClamdAddress.parse(getattr(clamd_small_streams, transport))
    # Well above the limit: clamd answers and closes while the file is still being sent.
    with pytest.raises(ScanTooLarge, match="StreamMaxLength"):
        clamd_instream(address, io.BytesIO(b"a" * 5_000_000), timeout=10)
    assert clamd_instream(address, io.BytesIO(b"a" * 500_000), timeout=10) is None  # below it: scanned
    assert clamd_instream(address, io.BytesIO(EICAR), timeout=10) == FOUND


def test_a_clamd_that_is_down_or_silent_is_unavailable():
    down = ClamdAddress.parse(f"tcp://127.0.0.1:{free_port()}")
    with pytest.raises(ConnectorUnavailable, match="cannot be reached"):
        clamd_instream(down, io.BytesIO(b"bonjour"), timeout=2)
    with pytest.raises(ConnectorUnavailable, match="cannot be reached"):
        clamd_instream(ClamdAddress.parse("unix:///nonexistent/clamd.sock"), io.BytesIO(b"x"), timeout=2)
    with silent_server() as address, pytest.raises(ConnectorTimeout, match="did not answer within 0.5 s"):
        clamd_instream(ClamdAddress.parse(address), io.BytesIO(b"bonjour"), timeout=0.5)


def test_addresses_are_read_in_every_documented_form():
    assert ClamdAddress.parse("tcp://127.0.0.1:3310") == ClamdAddress(host="127.0.0.1", port=3310)
    assert ClamdAddress.parse("clamav.interne:3310") == ClamdAddress(host="clamav.interne", port=3310)
    assert ClamdAddress.parse("unix:///run/clamav/clamd.ctl") == ClamdAddress(path="/run/clamav/clamd.ctl")
    assert ClamdAddress.parse("/run/clamav/clamd.ctl") == ClamdAddress(path="/run/clamav/clamd.ctl")
    with pytest.raises(ValueError, match="expected unix:///path or tcp://host:port"):
        ClamdAddress.parse("clamav")


def test_the_antivirus_is_off_by_default_and_chosen_by_its_address(settings):
    settings.GUICHET_CLAMAV_ADDRESS = ""
    assert connector_for("antivirus") is None
    settings.GUICHET_CLAMAV_ADDRESS, settings.GUICHET_CLAMAV_TIMEOUT = "tcp://127.0.0.1:3310", 7
    assert connector_for("antivirus") == ClamavAntivirus(address=ClamdAddress(host="127.0.0.1", port=3310), timeout=7)
    settings.GUICHET_CLAMAV_ADDRESS = "clamav"
    with pytest.raises(ConnectorNotConfigured, match="GUICHET_CLAMAV_ADDRESS"):
        connector_for("antivirus")
