"""Lock-out after repeated sign-in failures: the pieces that django-axes lets us supply.

Two counts over the cool-off period (15 minutes): failures for one account from one address
(AXES_FAILURE_LIMIT, 5), and failures from one address whatever the account
(GUICHET_SIGNIN_FAILURE_LIMIT_PER_ADDRESS, higher: people behind one administration's gateway
share an address), which stops password spraying (one common password tried on many accounts).
Wrong second-factor codes count as failures of the account too."""

from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum


def username_from_request(request, credentials: dict | None) -> str | None:
    """The address typed in, as the accounts store it (lower case), so that `Usager@…` and `usager@…`
    count as one account."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    username = (username or "").strip().lower()
    return username or None


def _recent(request):
    attempts = AccessAttempt.objects.filter(ip_address=getattr(request, "axes_ip_address", None))
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts


def address_failures(request) -> int:
    """Failures from this client address over the cool-off period, whatever the account."""
    return _recent(request).aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_locked(request) -> bool:
    return address_failures(request) >= settings.GUICHET_SIGNIN_FAILURE_LIMIT_PER_ADDRESS


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, with a limit of its own for the address alone (AXES_HANDLER)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        username = username_from_request(request, credentials)
        by_account = _recent(request).filter(username=username).aggregate(total=Sum("failures_since_start"))["total"]
        by_account = by_account or 0
        if address_locked(request):
            # Reported as the account's limit reached: django-axes then refuses, and our page says why.
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a sign-in, clear this account's failures from this address, not the address's
        failures on other accounts (else one account of one's own would reset a spraying's count)."""
        username = username_from_request(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        ).delete()
        return count


def lockout_ends_at(*, request, username: str | None) -> datetime | None:
    """When the lock-out ends: 15 minutes after the last failure that counted (failures during the
    lock-out do not make it longer), of this account from this address, or of the address."""
    cool_off = get_cool_off(request)
    ip_address = getattr(request, "axes_ip_address", None)
    if cool_off is None:
        return None
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    if not address_locked(request):
        if not username:
            return None
        attempts = attempts.filter(username=username)
    last_failure = attempts.aggregate(last=Max("attempt_time"))["last"]
    return last_failure + cool_off if last_failure is not None else None
