"""The site's URLs, the site's error handlers, and views that fail on purpose (400, 403,
429, 500): the error pages are tested as Django draws them."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path
from django_ratelimit.exceptions import Ratelimited

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500"]


def _bad_request(request):
    raise SuspiciousOperation("Test")


def _forbidden(request):
    raise PermissionDenied


def _rate_limited(request):
    raise Ratelimited


def _failing(request):
    raise RuntimeError("Test")


urlpatterns = [
    path("essai/400/", _bad_request),
    path("essai/403/", _forbidden),
    path("essai/429/", _rate_limited),
    path("essai/500/", _failing),
    *site_urlpatterns,
]
