"""Who may see the back office: signed-in instructors, and each only the dossiers of their groups."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from guichet.dossiers.models import Dossier
from guichet.instruction.access import dossier_for_instructor
from guichet.www.context_processors import person_roles


def instructor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not person_roles(request)["instructor"]:  # the header's query: asked once for both
            raise PermissionDenied("Cet espace est réservé aux instructeurs.")
        return view(request, *args, **kwargs)

    return wrapper


def instructor_dossier(request: HttpRequest, pk: int) -> Dossier:
    """A dossier of the instructor's groups; any other answers 404, as one that does not exist."""
    try:
        return dossier_for_instructor(request.user, pk)
    except Dossier.DoesNotExist:
        raise Http404("Ce dossier n’existe pas.") from None
