"""The benchmarks' settings keep up with the application's: a storage or an app added to the base
settings and forgotten there breaks `make bench` only, which no other test runs."""

import importlib

import pytest

from config.settings import base


@pytest.mark.parametrize("module", ["bench.settings", "bench.load_settings"])
def test_the_benchmark_settings_have_every_storage_of_the_application(module):
    settings = importlib.import_module(module)
    assert set(settings.STORAGES) >= set(base.STORAGES)
    assert settings.INSTALLED_APPS == base.INSTALLED_APPS
    assert settings.DEBUG is False
