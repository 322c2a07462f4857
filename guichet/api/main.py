"""The public HTTP API (OpenAPI 3, django-ninja), under /api/v1/. Each call carries a key: a
person's (`Authorization: Bearer gch_…`, made on their « Clés d’API » page), acting with that
person's rights as the screens do, or a service account's (`gcs_…`, made by the organisation's
administrators), acting with the scopes and procedures it was given. Either way the operation asks
the caller, a `Principal` (principals.py), on `request.auth`."""

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction

from .changes import router as changes_router
from .client_address import client_address
from .dossier_writes import router as dossier_writes_router
from .dossiers import router as dossiers_router
from .errors import error_in_french
from .exports import router as exports_router
from .instruction import router as instruction_router
from .observatory import router as observatory_router
from .prefill import router as prefill_router
from .principals import Principal
from .procedures_api import router as procedures_router
from .retention import router as retention_router
from .service_accounts import ClientAddressRefused, service_token_authenticate
from .services import api_token_find
from .statistics import router as statistics_router
from .webhooks import router as webhooks_router


class ApiKey(HttpBearer):
    openapi_description = (
        "Une clé d’API : « Authorization: Bearer gch_… » (la clé d’une personne, avec ses droits) ou "
        "« Authorization: Bearer gcs_… » (la clé d’un compte de service de l’organisation, avec ses droits)."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        if token.startswith("gcs_"):
            try:
                service_token = service_token_authenticate(token, client_address=client_address(request))
            except ClientAddressRefused as refused:
                raise HttpError(
                    403,
                    f"Ce compte de service n’accepte pas les appels venant de l’adresse {refused}. Ses "
                    "administrateurs peuvent l’ajouter aux adresses autorisées.",
                ) from None
            if service_token is None:
                return None
            # Every call of a service account, read or write, is in the audit trail under its name (the
            # writes add their own events); the path says what it reached, never the query (a search).
            account = service_token.account
            audit_record(
                actor=None,
                actor_label=account.label,
                action=AuditAction.API_CALL,
                target=account,
                details={"method": request.method, "path": request.path[:300], "token": service_token.pk},
            )
            return Principal.of_service_account(account, token_ref=f"gcs:{service_token.pk}")
        api_token = api_token_find(token)
        if api_token is None:
            return None
        request.user = api_token.user
        return Principal.of_person(api_token.user, token_ref=f"gch:{api_token.pk}")


class TokenRateThrottle(SimpleRateThrottle):
    """GUICHET_API_RATE per token (each key counts apart, a person's as a service account's), or per
    client address for the open data, which needs no key. Beyond it, 429 with Retry-After."""

    scope = "token"

    def get_cache_key(self, request: HttpRequest) -> str:
        auth = getattr(request, "auth", None)
        ident = auth.token_ref if isinstance(auth, Principal) and auth.token_ref else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request: HttpRequest) -> str:
        # The address as the service accounts' allowed addresses read it (client_address.py), never
        # X-Forwarded-For as the client sent it: ninja reads it whole when NINJA_NUM_PROXIES is unset,
        # and a client writing a new one at each call would have a new budget each time.
        return client_address(request)


RATE_LIMIT = TokenRateThrottle(settings.GUICHET_API_RATE)

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
api.add_router("/webhooks/", webhooks_router)
api.add_router("/dossiers/", dossier_writes_router)
api.add_router("/procedures/", prefill_router)
api.add_router("/", procedures_router)
api.add_router("/", changes_router)
api.add_router("/", dossiers_router)
api.add_router("/", exports_router)
api.add_router("/", statistics_router)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    response = api.create_response(request, {"detail": "Clé d’API absente, inconnue ou révoquée."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'  # RFC 6750: the scheme the API expects
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError):
    errors = [error_in_french(error) for error in exc.errors]
    return api.create_response(request, {"detail": "Requête invalide.", "errors": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    if exc.status_code == 400:
        # django-ninja's only 400: a body that is not JSON. Told as the other refused requests are
        # (422, located, in French), a status every operation declares.
        body = {
            "detail": "Requête invalide.",
            "errors": [{"loc": ["body"], "msg": "Le corps n’est pas du JSON valide."}],
        }
        return api.create_response(request, body, status=422)
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled):
    return api.create_response(
        request, {"detail": "Trop de requêtes : réessayez après le délai indiqué par Retry-After."}, status=429
    )
