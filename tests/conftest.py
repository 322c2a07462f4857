import pytest
from django.db import connection

from tests.demo_database import DemoDatabase


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker):
    """The demo, loaded once in each test process (each xdist worker has its own database)."""
    with django_db_blocker.unblock():
        return DemoDatabase.load(connection)


@pytest.fixture
def demo(demo_database, db):
    """The demo data, as `manage.py demo` loads them: copied into the test's database, then rolled
    back with the test's transaction (or flushed after a test with `transactional_db`)."""
    demo_database.write(connection)


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache: limits counted there (emails asked per hour) do not
    carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
