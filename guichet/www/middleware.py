"""The request guard: the one place where what a request brings is checked before any view,
form, service or API schema sees it (docs/decisions/0016-hostile-input.md).

- Characters no text may hold (NUL, halves of UTF-16 pairs: guichet/core/text_input.py) in the
  path, a header, the query string, a form's fields, or an API's JSON body: refused, nothing
  stored; a page in French (400), or the API's JSON error (422) naming where they were.
- A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE: 413, a page or the API's JSON error.
- Cookies holding such characters are dropped (no one typed them: the person is not blocked).
- A 405 without a page (`require_POST` and the like) becomes a page in French, or JSON under /api/."""

import json
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from guichet.api import errors as api_errors
from guichet.core.text_input import has_refused_characters, refused_locations

from .errors import PAGES, REFUSED_CHARACTERS, error_response

REFUSED_DETAIL = (
    "La requête contient des caractères qui ne peuvent pas être enregistrés "
    "(caractère nul U+0000, ou demi-paire UTF-16 isolée U+D800 à U+DFFF). Rien n’a été enregistré."
)
REFUSED_MESSAGE = "Caractère non accepté (caractère nul, ou demi-paire UTF-16 isolée)."
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
TOO_LARGE_DETAIL = "Le corps de la requête dépasse la taille acceptée ({limit} octets). Rien n’a été enregistré."


def _pairs_refused(where: str, pairs: Iterable[tuple[str, list]]) -> list[tuple[str | int, ...]]:
    found = []
    for key, values in pairs:
        if has_refused_characters(key) or any(isinstance(v, str) and has_refused_characters(v) for v in values):
            found.append((where, key))
    return found


def _body_refused(request: HttpRequest) -> list[tuple[str | int, ...]]:
    """Where the API's JSON body holds refused characters (reading it may raise RequestDataTooBig)."""
    body = request.body
    if not body:
        return []
    try:
        data = json.loads(body)
    except ValueError:
        # Not JSON: the operation answers its own 422; a raw NUL is refused here all the same.
        return [("body",)] if b"\x00" in body else []
    return list(refused_locations(data, ("body",)))


def refused_input(request: HttpRequest, *, api: bool) -> list[tuple[str | int, ...]]:
    """Every place of the request holding a character no text may hold."""
    found: list[tuple[str | int, ...]] = [("path",)] if has_refused_characters(request.path) else []
    # Headers too: some are stored as they come (django-axes keeps the User-Agent of each sign-in).
    found += [
        ("header", key[5:])
        for key, value in request.META.items()
        if key.startswith("HTTP_") and has_refused_characters(str(value))
    ]
    found += _pairs_refused("query", request.GET.lists())
    if request.method == "POST" and request.content_type in FORM_TYPES:
        # File names need nothing: Django's parser drops their non-printable characters.
        found += _pairs_refused("body", request.POST.lists())
    elif api or request.content_type == "application/json":
        # The API's bodies, and the JSON our own pages' scripts send (the WebAuthn ceremony).
        found += _body_refused(request)
    return found


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Before the session is read: a session key with a NUL would fail in PostgreSQL.
        for name in [name for name, value in request.COOKIES.items() if has_refused_characters(name + value)]:
            del request.COOKIES[name]
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and _bare(request, response):
            return self._not_allowed(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        api = request.path.startswith(api_errors.PREFIX)
        try:
            found = refused_input(request, api=api)
        except RequestDataTooBig:
            if api:
                detail = TOO_LARGE_DETAIL.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
                return api_errors.error_response(413, detail)
            return error_response(request, PAGES[413])
        if not found:
            return None
        if api:
            errors = [{"loc": list(location), "msg": REFUSED_MESSAGE} for location in found]
            return api_errors.error_response(422, REFUSED_DETAIL, errors)
        if request.content_type == "application/json":
            # Read by a script of ours, which shows `error` to the person.
            return JsonResponse({"error": REFUSED_DETAIL}, status=400)
        return error_response(request, REFUSED_CHARACTERS)

    def _not_allowed(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        allowed = response.get("Allow", "")
        if request.path.startswith(api_errors.PREFIX):
            page = api_errors.error_response(405, f"Méthode {request.method} non acceptée ici (acceptées : {allowed}).")
        else:
            page = error_response(request, PAGES[405])
        page["Allow"] = allowed
        return page


def _bare(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a 405 came without a body of ours: empty (`require_POST`) or a line of English (django-ninja)."""
    if request.path.startswith(api_errors.PREFIX):
        return not response.get("Content-Type", "").startswith("application/json")
    return b"<html" not in response.content
