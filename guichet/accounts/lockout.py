"""Lock-out after repeated sign-in failures: the small pieces that django-axes lets us supply."""

from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max


def username_from_request(request, credentials: dict | None) -> str | None:
    """The address typed in, as the accounts store it (lower case), so that `Usager@…` and `usager@…`
    count as one account."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    username = (username or "").strip().lower()
    return username or None


def lockout_ends_at(*, request, username: str | None) -> datetime | None:
    """When the lock-out of this account from this address ends: 15 minutes after the last failure
    that counted (failures during the lock-out do not make it longer)."""
    cool_off = get_cool_off(request)
    ip_address = getattr(request, "axes_ip_address", None)
    if cool_off is None or not username:
        return None
    last_failure = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return last_failure + cool_off if last_failure is not None else None
