"""Health endpoints for load balancers and orchestrators (decision 0052): plain JSON, no session,
no template, never cached, never rate-limited."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from guichet.core.health import readiness_problems
from guichet.core.replica_health import replicas_report


@never_cache
@require_GET
def alive(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is asked (a database outage must not get it restarted)."""
    return JsonResponse({"statut": "vivant"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """The node can serve: 503 naming what failed, so that the balancer sends no one to it. Read
    replicas are reported (« ok », « en_retard », « injoignable », with their delay) but never make
    the node unready: their reads go to the primary meanwhile (decision 0055)."""
    problems = readiness_problems()
    replicas = {"repliques": replicas_report()} if settings.GUICHET_REPLICA_ALIASES else {}
    if problems:
        return JsonResponse({"statut": "indisponible", "echecs": problems} | replicas, status=503)
    return JsonResponse({"statut": "pret"} | replicas)
