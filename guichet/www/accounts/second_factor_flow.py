"""Between the first factor (a password, or ProConnect without a second factor) and the session: the
person is remembered in the session as « pending », not signed in, until their second factor is
checked (or enrolled, for an agent who has none yet). A pending sign-in lasts 10 minutes and allows
5 wrong codes, each counted by django-axes like a wrong password: the fifth locks the account out
on this address."""

import time

from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect

from guichet.accounts.models import User
from guichet.accounts.second_factor import second_factor_enrolled

LOCAL_BACKEND = "guichet.accounts.backends.PasswordBackend"  # noqa: S105 (a dotted path)
PENDING = "second_factor_pending"
# How the session was opened (read by assurance.py, which names the other ways).
SESSION_ASSURANCE = "sign_in_assurance"
SECOND_FACTOR = "second_factor"
PENDING_SECONDS = 600
MAX_FAILURES = 5


def second_factor_begin(request, *, user: User, next_url: str, session_extra: dict | None = None):
    """Remember `user` as pending and send them to their second factor (or to enrol one)."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "next": next_url,
        "started": int(time.time()),
        "failures": 0,
        "extra": session_extra or {},
    }
    return redirect("accounts:second_factor" if second_factor_enrolled(user) else "accounts:second_factor_setup")


def pending_user(request) -> User | None:
    """The person whose second factor is awaited, if the pending sign-in is still valid."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["started"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def pending_failure(request) -> bool:
    """Count one wrong code, as a failed sign-in of the account too (django-axes: the lock-out page
    follows the fifth); True when the pending sign-in is dropped for too many."""
    pending = request.session.get(PENDING) or {}
    user = User.objects.filter(pk=pending.get("user")).first()
    if user is not None:
        user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)
    pending["failures"] = pending.get("failures", 0) + 1
    if pending["failures"] >= MAX_FAILURES:
        request.session.pop(PENDING, None)
        return True
    request.session[PENDING] = pending
    return False


def second_factor_complete(request, user: User) -> str:
    """Open the session of the pending person; returns where to go next."""
    pending = request.session.pop(PENDING, {})
    login(request, user, backend=LOCAL_BACKEND)
    request.session[SESSION_ASSURANCE] = SECOND_FACTOR
    for key, value in (pending.get("extra") or {}).items():
        request.session[key] = value
    return pending.get("next") or ""
