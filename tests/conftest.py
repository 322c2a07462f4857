import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The demo data, loaded as `manage.py demo` does."""
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache: limits counted there (emails asked per hour) do not
    carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
