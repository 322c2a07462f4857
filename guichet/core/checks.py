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
