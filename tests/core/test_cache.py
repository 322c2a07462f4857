"""The Redis cache that sessions are read from (config/settings/base.py with GUICHET_REDIS_URL) keeps
one redis-py client per server instead of making one at each call, and reads and writes as Django's."""

import shutil
import socket
import subprocess
import time

import pytest

from guichet.core.cache import KeptClientRedisCache


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of the test's own, on a free port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def test_one_client_reads_and_writes_as_django_s_own(redis_url):
    cache = KeptClientRedisCache(redis_url, {})
    cache.set("session", {"_auth_user_id": "12"}, 60)
    assert cache.get("session") == {"_auth_user_id": "12"}
    assert cache.add("session", "other", 60) is False
    cache.delete("session")
    assert cache.get("session") is None
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client  # one server: one client, kept
