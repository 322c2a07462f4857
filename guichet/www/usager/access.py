"""Who may see an applicant's pages: the signed-in applicant, and only for their own dossiers.

A person whose session expired while filling a page loses nothing: what the page sent is kept in
the session, they sign in again, and the answers are saved when they come back to the page."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict

from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_for_applicant

PENDING_KEY = "usager-reponses-en-attente"
_NOT_KEPT = {"csrfmiddlewaretoken", "_refresh"}


def applicant_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST" and request.resolver_match and request.resolver_match.url_name == "dossier_page":
            request.session[PENDING_KEY] = {
                "path": request.path,
                "data": [
                    [key, value] for key, values in request.POST.lists() if key not in _NOT_KEPT for value in values
                ],
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

    return wrapper


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
        return dossier_for_applicant(request.user, pk, for_update=for_update, with_opinion=with_opinion)
    except Dossier.DoesNotExist:
        raise Http404("Ce dossier n’existe pas.") from None
