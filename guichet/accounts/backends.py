"""How a password sign-in is checked: django-axes first (lock-out after repeated failures), then
the account's password."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from guichet.core.prepared import PreparedQuery

from .hooks import session_user_annotate
from .models import User


def _session_user(pk: int):
    annotations: dict = {}
    session_user_annotate.send(annotations=annotations)
    return User._default_manager.select_related("franceconnect_identity").filter(pk=pk).annotate(**annotations)


_SESSION_USER = PreparedQuery(_session_user)


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while the account is locked out on this address.

    A sign-in without an HTTP request comes from code (the test client's `login()`, a shell), not from
    someone at a keyboard: there is no client address to count failures against, so it is let through
    to the password check instead of failing as django-axes does."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordBackend(ModelBackend):
    """Email and password, as Django's own backend, except that a correct password on an account
    that still awaits the confirmation of its address is recognised (and not counted as a failure),
    so that the sign-in form can say so and offer to send the link again. The form refuses such an
    account; a session can never belong to an inactive account (`get_user`)."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) or getattr(user, "is_awaiting_confirmation", False)

    def get_user(self, user_id):
        # With the identity FranceConnect certified, if any, read in the same query: applicant
        # pages show it on every dossier; and what the apps above ask about the person at every
        # page (session_user_annotate). Read at every request: compiled once (core/prepared.py).
        try:
            user = _SESSION_USER.get(User._meta.pk.to_python(user_id))
        except (User.DoesNotExist, ValidationError):
            return None
        return user if user.is_active else None
