"""Read-your-writes with read replicas (decision 0055): whoever wrote reads the primary for the next
GUICHET_REPLICA_PIN_SECONDS, so that the lists they open next show what they just did, however late
a replica is. A browser is pinned by a cookie, an API client (a person's key or a service account's)
by its key in the shared cache, as API clients seldom keep cookies. Nothing happens when no
replica is configured."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from .replicas import request_writes

PIN_COOKIE = "guichet_lecture_principale"
_PIN_KEY = "replicas:pin:{}"
_READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _api_key_digest(request: HttpRequest) -> str:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return ""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:32]


def api_key_pinned(key_digest: str) -> bool:
    return cache.get(_PIN_KEY.format(key_digest)) is not None


class ReadYourWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.GUICHET_REPLICA_ALIASES:
            return self.get_response(request)
        key_digest = _api_key_digest(request)
        pinned = api_key_pinned(key_digest) if key_digest else PIN_COOKIE in request.COOKIES
        with request_writes(pinned=pinned) as writes:
            response = self.get_response(request)
        if writes.wrote or (writes.kept_books and request.method not in _READING_METHODS):
            seconds = settings.GUICHET_REPLICA_PIN_SECONDS
            if key_digest:
                cache.set(_PIN_KEY.format(key_digest), 1, timeout=seconds)
            else:
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=seconds,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        return response
