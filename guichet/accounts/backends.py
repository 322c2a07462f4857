"""How a password sign-in is checked: django-axes first (lock-out after repeated failures), then
the account's password."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from guichet.core.prepared import PreparedQuery

from .hooks import session_user_annotate
from .models import User

# What the session's user is read with: the identity FranceConnect certified, if any.
SESSION_USER_RELATED = ("franceconnect_identity",)


def session_user_annotations(user: str = "pk") -> dict:
    """What every page asks about the signed-in person (session_user_annotate), as expressions of a
    query where `user` names the person's key: "pk" in the user's own query, "applicant" when the
    user is read with their dossier (dossiers/selectors.py)."""
    annotations: dict = {}
    session_user_annotate.send(annotations=annotations, user=user)
    return annotations


def _session_user(pk: int):
    related = User._default_manager.select_related(*SESSION_USER_RELATED)
    return related.filter(pk=pk).annotate(**session_user_annotations())


_SESSION_USER = PreparedQuery(_session_user)
# The session's user when the request already read it with another row (session_user_known).
_KNOWN: ContextVar[User | None] = ContextVar("session_user_known", default=None)


@contextmanager
def session_user_known(user: User) -> Iterator[None]:
    """Within the block, the session's user, if it is `user` (same key), is taken as read instead of
    being read again: `user` must have been read as `get_user` reads it (with SESSION_USER_RELATED
    and session_user_annotations). Django's checks of the session (its hash of the password, the
    account active) apply to it as to a user read on its own."""
    token = _KNOWN.set(user)
    try:
        yield
    finally:
        _KNOWN.reset(token)


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
            pk = User._meta.pk.to_python(user_id)
            known = _KNOWN.get()
            user = known if known is not None and known.pk == pk else _SESSION_USER.get(pk)
        except (User.DoesNotExist, ValidationError):
            return None
        return user if user.is_active else None
