"""Who may edit the observatory's values: people with the steering role, on their organisations."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from guichet.observatory.models import Indicator, ProgrammeEntry
from guichet.observatory.selectors import (
    entries_editable_by,
    entries_with_volumes_recorded_by,
    indicators_editable_by,
    steering_organisation_ids,
)


def steering_required(view):
    """Signed-in people with the steering role only; others are sent to sign in or refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not steering_organisation_ids(request.user):
            raise PermissionDenied("Cet espace est réservé aux équipes de pilotage (rôle « Pilotage »).")
        return view(request, *args, **kwargs)

    return wrapper


def signed_in_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def entry_for_volumes(request, pk: int) -> ProgrammeEntry:
    """The entry named in the address, when the person steers it or instructs its procedure."""
    entry = entries_with_volumes_recorded_by(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404("Cette démarche n’existe pas ou vous ne pouvez pas saisir ses volumes.")
    return entry


def editable_entry(request, pk: int) -> ProgrammeEntry:
    """The programme entry named in the address, or 404 when it is not one of the person's
    organisations."""
    entry = entries_editable_by(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404("Cette démarche n’existe pas ou ne relève pas de votre pilotage.")
    return entry


def editable_indicator(request, pk: int) -> Indicator:
    indicator = indicators_editable_by(request.user).filter(pk=pk).first()
    if indicator is None:
        raise Http404("Cet indicateur n’existe pas ou ne relève pas de votre pilotage.")
    return indicator
