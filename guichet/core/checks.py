"""System checks of the core's settings (`manage.py check --deploy` runs the deploy-tagged ones)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .audit_verification import trust_roots_problem


@register(Tags.security, deploy=True)
def audit_tsa_roots_check(app_configs, **kwargs) -> list:
    """An audit chain timestamped by an authority that nothing says to trust proves little: anyone
    can sign a token. Production names the authorities' root certificates (GUICHET_AUDIT_TSA_ROOTS)."""
    roots = settings.GUICHET_AUDIT_TSA_ROOTS
    if roots:
        problem = trust_roots_problem(roots)
        return [Error(problem, id="guichet.E001")] if problem else []
    if settings.GUICHET_AUDIT_TSA_URL or settings.GUICHET_SEAL_TSA_URL:
        return [
            Warning(
                "Le journal d’audit est horodaté, mais GUICHET_AUDIT_TSA_ROOTS est vide : `audit_verify` "
                "vérifiera l’intégrité des jetons d’horodatage, pas qu’ils viennent d’une autorité de confiance.",
                hint="Indiquez dans GUICHET_AUDIT_TSA_ROOTS le fichier PEM des certificats racines de l’autorité "
                "d’horodatage.",
                id="guichet.W001",
            )
        ]
    return []


# Caches that each process keeps apart: what is counted or kept there is per process, not shared.
PROCESS_LOCAL_CACHES = frozenset(
    {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}
)


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs) -> list:
    """Several processes (gunicorn's workers, several web nodes) must share the default cache: the
    emails sent per address and per client are limited there, and a data source's pause after a 429
    is kept there (decision 0057). With a cache of each process's own, every process counts alone."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        Warning(
            f"Le cache par défaut ({backend.rsplit('.', 1)[-1]}) n’est pas partagé entre les processus : les "
            "limites de courriels par adresse (GUICHET_EMAILS_PER_ADDRESS, GUICHET_EMAILS_PER_CLIENT) et la pause "
            "des sources de données après un refus y sont tenues par processus.",
            hint="Indiquez GUICHET_REDIS_URL (un cache Redis partagé par tous les processus et tous les nœuds).",
            id="guichet.W002",
        )
    ]
