"""The Permissions-Policy header: which browser features the pages may use (settings:
GUICHET_PERMISSIONS_POLICY, a feature and the origins allowed, none for a denied one). The
Content-Security-Policy comes from django-csp (placed before this middleware), the other policies
from Django's SecurityMiddleware."""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "publickey-credentials-get": ["self"]}` as `camera=(), publickey-credentials-get=(self)`."""

    def allowlist(origins: list[str]) -> str:
        return " ".join(origin if origin in ("self", "*") else f'"{origin}"' for origin in origins)

    return ", ".join(f"{feature}=({allowlist(origins)})" for feature, origins in policy.items())


class BrowserPoliciesMiddleware:
    def __init__(self, get_response):
        policy = getattr(settings, "GUICHET_PERMISSIONS_POLICY", None)
        if not policy:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.header = permissions_policy_header(policy)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        if response.get("Content-Type", "").startswith("text/html") and hasattr(request, "csp_nonce"):
            # django-csp names the nonce in the header only when the page asked for it: every page
            # carries one, so that a page and its header always agree (and the tests can tell).
            str(request.csp_nonce)
        return response


def sign_in_provider_origins() -> list[str]:
    """The identity providers that sign-in and sign-out forms lead to (through our redirect):
    `form-action` covers the redirects that follow a form, so it must name them."""
    origins = []
    for setting in ("FRANCECONNECT_ISSUER", "PROCONNECT_ISSUER"):
        issuer = getattr(settings, setting, "")
        parts = urlsplit(issuer) if issuer else None
        if parts and parts.scheme and parts.netloc and f"{parts.scheme}://{parts.netloc}" not in origins:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the sign-in providers added to `form-action` as configured
    when the response is made (settings can change without a restart in tests)."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origins = sign_in_provider_origins()
        if origins and not report_only:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            parts.update = update
        return parts
