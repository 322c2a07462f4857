import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The demo data, loaded as `manage.py demo` does."""
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())
