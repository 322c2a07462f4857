"""Who may use the procedure builder, and the one way its views fetch a procedure."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from guichet.procedures.models import Procedure
from guichet.procedures.selectors import organisation_ids_administered_by, procedure_for_administrator


def administrator_required(view):
    """Signed-in procedure administrators only; others are sent to sign in or refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not organisation_ids_administered_by(request.user):
            raise PermissionDenied("Cet espace est réservé aux administrateurs des démarches.")
        return view(request, *args, **kwargs)

    return wrapper


def administered_procedure(request, slug: str) -> Procedure:
    """The procedure named in the address, or 404 when the person does not administer it (a 404
    rather than a 403, so that the address says nothing about procedures of other administrations)."""
    procedure = procedure_for_administrator(request.user, slug)
    if procedure is None:
        raise Http404("Cette démarche n’existe pas ou vous ne l’administrez pas.")
    return procedure
