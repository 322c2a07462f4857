"""How a session was opened, and the rule that an agent's session has passed a second factor.

Signing in asks for the second factor before the session opens (second_factor_flow.py). A session
can still come to need one it never passed: it was opened before the second factor existed, or its
applicant has since been made an instructor, or has turned the second factor on. The middleware
below closes such a session and sends the person to their second factor (or to enrol one), then back
to the page they asked for. A session opened through the second factor or ProConnect
is marked so and never checked again; any other is checked at most every few minutes, so that an
applicant's pages do not pay for the check at every request."""

import time

from django.contrib.auth import SESSION_KEY, logout
from django_htmx.http import HttpResponseClientRedirect

from guichet.accounts.second_factor import second_factor_required

from .second_factor_flow import SECOND_FACTOR, SESSION_ASSURANCE, second_factor_begin

SESSION_CHECKED_AT = "second_factor_checked_at"
# How a session was opened, when that is enough whatever the person's roles.
PROCONNECT = "proconnect"
FRANCECONNECT = "franceconnect"
# FranceConnect is not among them: an applicant's session opened with it is checked as any other,
# so that one made instructor since meets the second factor.
ASSURED = {SECOND_FACTOR, PROCONNECT}
CHECK_EVERY_SECONDS = 300


def assurance_mark(request, how: str) -> None:
    """Record, once the session is open, how it was opened."""
    request.session[SESSION_ASSURANCE] = how


class SecondFactorMiddleware:
    """After authentication: a session that needs a second factor it never passed is closed, and its
    person sent to pass it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session says whether the check is due: the user is read only then (a page of a dossier
        # reads it with the dossier, www/usager/access.py).
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and session.get(SESSION_ASSURANCE) not in ASSURED:
            now = int(time.time())
            if now - session.get(SESSION_CHECKED_AT, 0) >= CHECK_EVERY_SECONDS:
                user = request.user
                if user.is_authenticated:
                    if second_factor_required(user):
                        return self._second_factor_asked(request, user)
                    request.session[SESSION_CHECKED_AT] = now
        return self.get_response(request)

    @staticmethod
    def _second_factor_asked(request, user):
        next_url = request.get_full_path() if request.method == "GET" and not request.htmx else ""
        logout(request)
        response = second_factor_begin(request, user=user, next_url=next_url)
        if request.htmx:
            return HttpResponseClientRedirect(response.url)
        return response
