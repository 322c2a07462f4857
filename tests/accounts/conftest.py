from tests.accounts.oidc_fixtures import franceconnect, oidc_provider, proconnect  # noqa: F401
