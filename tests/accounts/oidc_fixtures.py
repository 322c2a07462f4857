"""The local OpenID Connect provider (tests/accounts/oidc_provider.py), run in a process of its own
for the whole test session, and the settings that point Guichet at it."""

import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent.parent
CLIENT_ID = "guichet-tests"
CLIENT_SECRET = "secret-du-client-de-test-0123456789"
CALLBACK_PATH = "/compte/franceconnect/retour/"
LOGOUT_RETURN_PATH = "/compte/franceconnect/deconnecte/"
PROCONNECT_CALLBACK_PATH = "/compte/proconnect/retour/"
PROCONNECT_LOGOUT_RETURN_PATH = "/compte/proconnect/deconnecte/"


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen

    @property
    def base_url(self) -> str:
        return self.issuer.removesuffix("/api/v2")

    def configure(self, *, site: str = "http://testserver", **options) -> None:
        """Register Guichet's URLs on `site` (exactly, as FranceConnect does), reset the test person
        and the logs, and set `person` (claims to change), `alg` or `fault` for the next sign-ins."""
        payload = {
            "redirect_uris": [site + CALLBACK_PATH, site + PROCONNECT_CALLBACK_PATH],
            "post_logout_redirect_uris": [site + LOGOUT_RETURN_PATH, site + PROCONNECT_LOGOUT_RETURN_PATH],
            **options,
        }
        response = requests.post(f"{self.base_url}/_test/configure", json=payload, timeout=10)
        response.raise_for_status()

    def log(self) -> dict:
        response = requests.get(f"{self.base_url}/_test/log", timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """One provider per test process (each xdist worker has its own), on a free port."""
    stderr = (tmp_path_factory.mktemp("oidc-provider") / "stderr.log").open("w")
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [
            sys.executable,
            "-m",
            "tests.accounts.oidc_provider",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("LISTENING "):
            raise RuntimeError(f"the test OpenID Connect provider did not start (see {stderr.name})")
        yield Provider(issuer=line.split()[1], process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        stderr.close()


@pytest.fixture
def franceconnect(oidc_provider, settings):
    """Guichet configured for the local provider, which is reset to its test person."""
    settings.FRANCECONNECT_ISSUER = oidc_provider.issuer
    settings.FRANCECONNECT_CLIENT_ID = CLIENT_ID
    settings.FRANCECONNECT_CLIENT_SECRET = CLIENT_SECRET
    oidc_provider.configure()
    return oidc_provider


@pytest.fixture
def proconnect(oidc_provider, settings):
    """Guichet configured for the local provider as ProConnect, which is reset to its test agent
    (whose identity provider has no second factor, unless `configure(profile="proconnect", mfa=True)`)."""
    settings.PROCONNECT_ISSUER = oidc_provider.issuer
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    oidc_provider.configure(profile="proconnect")
    return oidc_provider
