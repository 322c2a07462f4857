"""The public HTTP API (OpenAPI 3, django-ninja), under /api/v1/. Each call carries a person's key
(`Authorization: Bearer gch_…`, made on their « Clés d’API » page) and acts with that person's
rights, as the screens do: an instructor reaches the dossiers of their groups only."""

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import UserRateThrottle

from .instruction import router as instruction_router
from .observatory import router as observatory_router
from .retention import router as retention_router
from .services import api_token_authenticate


class ApiKey(HttpBearer):
    openapi_description = "La clé d’API d’une personne : « Authorization: Bearer gch_… »."

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


# Per person (their key), or per client address for the open data: beyond it, 429.
RATE_LIMIT = UserRateThrottle(settings.GUICHET_API_RATE)

api = NinjaAPI(
    title="Guichet",
    version="1",
    description="L’API de Guichet : les dossiers des démarches, pour les logiciels des administrations.",
    auth=ApiKey(),
    urls_namespace="api",
    docs_url="/docs",
    throttle=[RATE_LIMIT],
)
api.add_router("/instruction/", instruction_router)
api.add_router("/observatory/", observatory_router)
api.add_router("/procedures/", retention_router)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": "Clé d’API absente, inconnue ou révoquée."}, status=401)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, {"detail": "Requête invalide.", "errors": exc.errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled):
    return api.create_response(
        request, {"detail": "Trop de requêtes : réessayez après le délai indiqué par Retry-After."}, status=429
    )
