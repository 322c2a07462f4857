"""Django's deployment checks pass with the production settings: no warning to wave through when
installing (HSTS, secure cookies, SSL redirect, secret key...)."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "DJANGO_SECRET_KEY": "a-production-like-key-" + "k3y!" * 16,  # long and varied, as check --deploy wants
    "DATABASE_URL": "postgres://guichet@127.0.0.1:5432/guichet_deploy_check",  # never connected to
    "DJANGO_ALLOWED_HOSTS": "guichet.example.fr",
    # A cache shared by the processes (the API's rate limit counts there): never connected to either.
    "GUICHET_REDIS_URL": "redis://127.0.0.1:6379/0",
}


def deploy_check(**environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env |= {"PYTHONPATH": str(settings.BASE_DIR)} | PRODUCTION | environment
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_production_settings_pass_the_deployment_checks():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_an_installation_may_leave_the_hsts_preload_list_out():
    """A domain whose other hosts are not all on HTTPS turns preload and subdomains off: its choice,
    which check --deploy then does not report; the other checks still hold."""
    result = deploy_check(DJANGO_SECURE_HSTS_PRELOAD="false", DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false")
    assert result.returncode == 0, result.stdout + result.stderr
    weak = deploy_check(DJANGO_SECURE_SSL_REDIRECT="false")
    assert weak.returncode != 0 and "security.W008" in weak.stdout + weak.stderr


def test_production_without_a_shared_cache_is_warned_of_a_rate_limit_per_process():
    result = deploy_check(GUICHET_REDIS_URL="")
    assert result.returncode != 0 and "api.W001" in result.stdout + result.stderr


def test_production_without_a_shared_cache_is_warned_of_limits_per_process():
    # Several processes (and nodes) each counting the emails sent to one address: decision 0057.
    result = deploy_check(GUICHET_REDIS_URL="")
    assert result.returncode != 0 and "guichet.W002" in result.stdout + result.stderr
    assert "GUICHET_EMAILS_PER_ADDRESS" in result.stdout + result.stderr
