"""System checks of the API's settings (`manage.py check --deploy` runs the deploy-tagged ones)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from guichet.core.checks import PROCESS_LOCAL_CACHES


@register(Tags.security, deploy=True)
def api_rate_cache_check(app_configs, **kwargs) -> list:
    """The API's rate limit (GUICHET_API_RATE) counts in the default cache: with a cache of each
    process's own, N processes give each key N times its budget (and DummyCache no limit at all)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        Warning(
            f"Le cache par défaut ({backend.rsplit('.', 1)[-1]}) n’est pas partagé entre les processus : la limite "
            "de requêtes de l’API (GUICHET_API_RATE) y est comptée par processus, non par clé.",
            hint="Indiquez GUICHET_REDIS_URL (un cache Redis partagé par tous les processus).",
            id="api.W001",
        )
    ]
