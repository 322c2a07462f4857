from tests.accounts.oidc_fixtures import franceconnect, oidc_provider  # noqa: F401
