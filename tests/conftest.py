import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection, connections
from django.test import Client

from guichet.core.replica_health import replica_statuses_forget
from guichet.dossiers.models import DossierFile
from guichet.www.accounts.second_factor_flow import SECOND_FACTOR, SESSION_ASSURANCE
from tests.connectors.clamav.clamd import clamd_started
from tests.demo_database import DemoDatabase

_SLOW_MARKERS = ("slow", "browser")


def pytest_collection_modifyitems(items):
    """The long tests (browser journeys, the demo's acts, processes started) run first: pytest-xdist
    deals the first tests out in turn, so each process takes its share of them and the short ones
    fill the gaps, instead of one process ending alone on a row of long tests."""
    items.sort(key=lambda item: not any(item.get_closest_marker(name) for name in _SLOW_MARKERS))


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker):
    """The demo, loaded once in each test process (each xdist worker has its own database)."""
    with django_db_blocker.unblock():
        return DemoDatabase.load(connection)


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A real clamd that knows the EICAR test file (skipped where clamd is not installed)."""
    with clamd_started(tmp_path_factory.mktemp("clamd")) as daemon:
        yield daemon


@pytest.fixture(scope="session")
def clamd_small_streams(tmp_path_factory):
    """A real clamd whose StreamMaxLength (1 MB) is below the platform's upload limit."""
    with clamd_started(tmp_path_factory.mktemp("clamd-small"), stream_max_length="1M") as daemon:
        yield daemon


@pytest.fixture
def private_disk(tmp_path, monkeypatch):
    """The dossiers' files kept on disk, in a folder of the test's own (the test settings keep them
    in memory, shared by the tests of a process): what a test finds there, it left there."""
    folder = tmp_path / "private"
    folder.mkdir()
    monkeypatch.setattr(DossierFile._meta.get_field("content"), "storage", FileSystemStorage(location=folder))
    return folder


@pytest.fixture
def demo(demo_database, db):
    """The demo data, as `manage.py demo` loads them: copied into the test's database, then rolled
    back with the test's transaction (or flushed after a test with `transactional_db`)."""
    demo_database.write(connection)


@pytest.fixture(autouse=True)
def _forced_logins_passed_the_second_factor(monkeypatch):
    """`Client.force_login` opens a session without signing in at all: such a session counts as
    opened through the second factor, as a real agent's is (tests/www/test_second_factor_sessions.py
    takes the mark away to check sessions that never passed it)."""
    original = Client._login

    def login_assured(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[SESSION_ASSURANCE] = SECOND_FACTOR
        session.save()

    monkeypatch.setattr(Client, "_login", login_assured)


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache: limits counted there (emails asked per hour) do not
    carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _replica_connections_closed():
    """A read replica's connection (the alias replica1 reads the test database: tests/core/replicas.py)
    is closed after each test that opened it: PostgreSQL refuses to drop a database still in use."""
    yield
    for opened in connections.all(initialized_only=True):
        if opened.alias != "default":
            opened.close()


@pytest.fixture
def replicas_on(settings):
    """The router may send the reads that tolerate a delay to replica1 (tests/core/replicas.py);
    replicas' statuses measured by another test are forgotten."""
    settings.GUICHET_REPLICA_ALIASES = ["replica1"]
    replica_statuses_forget()
    yield
    replica_statuses_forget()
