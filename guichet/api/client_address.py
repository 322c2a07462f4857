"""The address an API call comes from, for the service accounts' allowed addresses and the rate
limit without a key. Behind GUICHET_API_PROXY_COUNT reverse proxies, each appending the address it
saw to X-Forwarded-For, the client's is that many places from the end of the header: what comes
before was written by the client and proves nothing. Without proxies declared, REMOTE_ADDR."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.GUICHET_API_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # The call did not come through every proxy: the address that reached us is the client's.
        return remote
    return forwarded[-proxies]
