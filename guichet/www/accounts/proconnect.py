"""Agents signing in and out with ProConnect.

Administrators of procedures and steering users must have used a second factor at ProConnect: when
the first return does not say so (`acr`), the browser goes back to ProConnect once more with an
essential `acr` among the multi-factor levels; if ProConnect still cannot, Guichet asks for its own
second factor before the session opens."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from guichet.accounts import proconnect
from guichet.accounts.selectors import AGENT_ROLES_MFA_AT_PROCONNECT, agent_roles
from guichet.accounts.services import ProConnectUnknownAgent, proconnect_sign_in

from .assurance import PROCONNECT, assurance_mark
from .navigation import next_url_of
from .second_factor_flow import LOCAL_BACKEND, second_factor_begin

logger = logging.getLogger(__name__)

SESSION_ID_TOKEN = "proconnect_id_token"  # noqa: S105 (the name of a session key)
SESSION_NEXT = "proconnect_next"
SESSION_STEP_UP = "proconnect_step_up"


def _failure(request, message: str, *, cancelled: bool = False, status: int = 400):
    return render(
        request,
        "accounts/sign_in_provider_error.html",
        {
            "provider": "ProConnect",
            "message": message,
            "cancelled": cancelled,
            "login_url": resolve_url(settings.LOGIN_URL),
        },
        status=status,
    )


def _redirect_to_proconnect(request, *, multi_factor: bool):
    try:
        return proconnect.authorization_redirect(
            request,
            redirect_uri=request.build_absolute_uri(reverse("accounts:proconnect_callback")),
            multi_factor=multi_factor,
        )
    except proconnect.ProConnectError as error:
        logger.warning("ProConnect sign-in: %s", error.reason)
        return _failure(request, error.message, status=502)


@require_POST
def proconnect_login(request):
    if not proconnect.is_configured():
        raise Http404("ProConnect n’est pas proposé sur ce service.")
    request.session[SESSION_NEXT] = next_url_of(request)
    request.session.pop(SESSION_STEP_UP, None)
    return _redirect_to_proconnect(request, multi_factor=False)


@require_GET
def proconnect_callback(request):
    if not proconnect.is_configured():
        raise Http404("ProConnect n’est pas proposé sur ce service.")
    try:
        result = proconnect.authorization_complete(request)
    except proconnect.ProConnectError as error:
        logger.warning("ProConnect sign-in: %s", error.reason)
        return _failure(request, error.message, cancelled=error.cancelled, status=200 if error.cancelled else 400)
    step_up_sub = request.session.pop(SESSION_STEP_UP, None)
    if step_up_sub is not None and step_up_sub != result.claims["sub"]:
        logger.warning("ProConnect step-up came back with another person")
        return _failure(request, proconnect.GENERIC_FAILURE)
    try:
        user = proconnect_sign_in(claims=result.claims, acr=result.acr, amr=result.amr)
    except ProConnectUnknownAgent:
        return render(
            request,
            "accounts/proconnect_unknown_agent.html",
            {"email": result.claims.get("email", ""), "login_url": resolve_url(settings.LOGIN_URL)},
            status=403,
        )
    except ValidationError as error:
        logger.warning("ProConnect sign-in refused: %s", error.messages)
        return _failure(request, " ".join(error.messages))

    next_url = next_url_of(request, request.session.get(SESSION_NEXT, ""))
    if agent_roles(user) & AGENT_ROLES_MFA_AT_PROCONNECT and not result.multi_factor:
        if step_up_sub is None:
            # Once more to ProConnect, asking for a second factor there.
            request.session[SESSION_STEP_UP] = result.claims["sub"]
            return _redirect_to_proconnect(request, multi_factor=True)
        # ProConnect could not: Guichet's own second factor, before the session opens.
        request.session.pop(SESSION_NEXT, None)
        return second_factor_begin(
            request, user=user, next_url=next_url, session_extra={SESSION_ID_TOKEN: result.id_token}
        )
    request.session.pop(SESSION_NEXT, None)
    login(request, user, backend=LOCAL_BACKEND)
    assurance_mark(request, PROCONNECT)
    request.session[SESSION_ID_TOKEN] = result.id_token
    messages.success(request, "Vous êtes connecté avec ProConnect.")
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


@require_GET
def proconnect_logout_return(request):
    """Where ProConnect sends the browser back after its own logout."""
    if proconnect.is_configured():
        try:
            proconnect.logout_complete(request)
        except proconnect.ProConnectError as error:
            logger.warning("ProConnect logout return: %s", error.reason)
        else:
            messages.success(request, "Vous êtes déconnecté de ce service et de ProConnect.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


def proconnect_logout(request, *, id_token: str):
    """The redirect to ProConnect's end of session after Guichet's own logout, or None."""
    if not proconnect.is_configured():
        return None
    try:
        return proconnect.logout_redirect(
            request,
            id_token=id_token,
            post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:proconnect_logout_return")),
        )
    except proconnect.ProConnectError as error:
        logger.warning("ProConnect logout: %s", error.reason)
        return None
