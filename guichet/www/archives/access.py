"""Who may enter the archivist's space: the archivists of an organisation, and superusers."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from guichet.archives.selectors import is_archivist


def archivist_required(view):
    """Signed-in archivists only; others are sent to sign in or refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_archivist(request.user):
            raise PermissionDenied("Cet espace est réservé au service d’archives (rôle « Archiviste »).")
        return view(request, *args, **kwargs)

    return wrapper
