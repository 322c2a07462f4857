"""Who may see an applicant's pages: the signed-in applicant, and only for their own dossiers.

A person whose session expired while filling a page loses nothing: what the page sent is kept in
the session, they sign in again, and the answers are saved when they come back to the page.

The pages of a dossier (`applicant_dossier_required`) read the session's user with the dossier, in
one query instead of two, then check the session with it exactly as Django does for a user read on
its own (its hash of the password, the account active): nothing of either is used before."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils.functional import SimpleLazyObject, empty

from guichet.accounts.backends import session_user_known
from guichet.accounts.models import User
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_for_applicant, dossier_with_session_user

PENDING_KEY = "usager-reponses-en-attente"
_NOT_KEPT = {"csrfmiddlewaretoken", "_refresh"}


class _SignInNeeded(PermissionDenied):
    """The session, checked with the user read with the dossier, is not signed in (any more): the
    view's decorator answers with the sign-in page (anywhere else, a 403)."""


def applicant_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return _view_if_signed_in(view, request, *args, **kwargs)

    return wrapper


def _view_if_signed_in(view: Callable[..., HttpResponse], request: HttpRequest, *args, **kwargs) -> HttpResponse:
    if request.user.is_authenticated:
        return view(request, *args, **kwargs)
    return _sign_in_asked(request)


def applicant_dossier_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """As `applicant_required`, for a view whose first read is `own_dossier(request, pk)`: the
    session's user is then read with the dossier (see above). A view that answered without reading it
    is checked after the fact, and its answer replaced by the sign-in if the session is not signed in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _session_user_unread(request):
            return _view_if_signed_in(view, request, *args, **kwargs)
        try:
            response = view(request, *args, **kwargs)
        except _SignInNeeded:
            return _sign_in_asked(request)
        if not request.user.is_authenticated:
            return _sign_in_asked(request)
        return response

    return wrapper


def _sign_in_asked(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.resolver_match and request.resolver_match.url_name == "dossier_page":
        request.session[PENDING_KEY] = {
            "path": request.path,
            "data": [[key, value] for key, values in request.POST.lists() if key not in _NOT_KEPT for value in values],
        }
        messages.info(
            request,
            "Votre session a expiré. Reconnectez-vous : les réponses que vous venez de saisir sont gardées "
            "et seront enregistrées dans votre brouillon.",
        )
    login = redirect_to_login(request.path if request.method == "POST" else request.get_full_path())
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login["Location"]
        return response
    return login


def _session_user_unread(request: HttpRequest) -> bool:
    """Whether the session names a user that this request has not read yet."""
    user = request.__dict__.get("user")
    return isinstance(user, SimpleLazyObject) and user._wrapped is empty and SESSION_KEY in request.session


def _signed_in(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise _SignInNeeded


def pending_answers_take(request: HttpRequest) -> QueryDict | None:
    """What a page sent while the session had expired, if it was this page: taken once."""
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("path") != request.path:
        return None
    del request.session[PENDING_KEY]
    data = QueryDict(mutable=True)
    for key, value in pending.get("data", []):
        data.appendlist(str(key), str(value))
    return data


def own_dossier(request: HttpRequest, pk: int, *, for_update: bool = False, with_opinion: bool = False) -> Dossier:
    """The signed-in person's dossier; anyone else's answers 404, as one that does not exist.
    `for_update`: locked until the end of the caller's transaction; `with_opinion`: with
    `has_opinion` (see dossier_for_applicant)."""
    try:
        if _session_user_unread(request):
            return _own_dossier_with_user(request, pk, for_update=for_update, with_opinion=with_opinion)
        return dossier_for_applicant(request.user, pk, for_update=for_update, with_opinion=with_opinion)
    except Dossier.DoesNotExist:
        raise Http404("Ce dossier n’existe pas.") from None


def _own_dossier_with_user(request: HttpRequest, pk: int, *, for_update: bool, with_opinion: bool) -> Dossier:
    """The dossier and the session's user in one query, then the session checked with that user;
    when it finds no dossier (or the session's key is not one), the user is read on its own."""
    try:
        user_id = User._meta.pk.to_python(request.session[SESSION_KEY])
        dossier = dossier_with_session_user(user_id, pk, for_update=for_update, with_opinion=with_opinion)
    except (ValidationError, Dossier.DoesNotExist):
        _signed_in(request)
        raise Dossier.DoesNotExist from None
    with session_user_known(dossier.applicant):
        _signed_in(request)
    if request.user.pk != dossier.applicant_id:
        raise Dossier.DoesNotExist
    return dossier
