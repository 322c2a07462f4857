"""The WebAuthn ceremonies (security keys, passkeys): JSON endpoints called by the page's script,
which is the one part of signing in that needs JavaScript (the pages offer an authenticator app
and recovery codes without it). The challenge lives in the session, used once."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from guichet.accounts.second_factor import second_factor_enrolled
from guichet.accounts.webauthn_keys import (
    REFUSED,
    authentication_options,
    registration_options,
    webauthn_credential_register,
    webauthn_credential_verify,
)

from .second_factor_flow import pending_failure, pending_user, second_factor_complete

CHALLENGE = "webauthn_challenge"
CODES_TO_SHOW = "recovery_codes_to_show"


def relying_party(request) -> tuple[str, str]:
    """The relying party's id (the site's domain) and the page's origin."""
    origin = request.build_absolute_uri("/").rstrip("/")
    return settings.GUICHET_WEBAUTHN_RP_ID or request.get_host().split(":")[0], origin


def _person(request):
    """Who may register a key: the signed-in person, or a pending one who has no second factor yet
    (else the password alone would be enough to add a key and open the session)."""
    if request.user.is_authenticated:
        return request.user
    user = pending_user(request)
    return None if user is None or second_factor_enrolled(user) else user


def _body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _expired():
    return JsonResponse({"error": "Votre connexion a expiré : reprenez-la depuis le début."}, status=403)


@require_GET
@login_required
def webauthn_keys(request):
    """Add a key from the account page."""
    return render(request, "accounts/webauthn_keys.html")


@require_POST
def webauthn_register_options(request):
    user = _person(request)
    if user is None:
        return _expired()
    rp_id, _ = relying_party(request)
    options, challenge = registration_options(user=user, rp_id=rp_id, rp_name=settings.GUICHET_PLATFORM_NAME)
    request.session[CHALLENGE] = challenge.hex()
    return JsonResponse(json.loads(options))


@require_POST
def webauthn_register_verify(request):
    user = _person(request)
    challenge = request.session.pop(CHALLENGE, None)
    if user is None or challenge is None:
        return _expired()
    body = _body(request)
    rp_id, origin = relying_party(request)
    try:
        codes = webauthn_credential_register(
            actor=user,
            user=user,
            name=str(body.get("name") or ""),
            response=json.dumps(body.get("credential") or {}),
            challenge=bytes.fromhex(challenge),
            rp_id=rp_id,
            origin=origin,
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    next_url = "" if request.user.is_authenticated else second_factor_complete(request, user)
    if codes:
        request.session[CODES_TO_SHOW] = {"codes": codes, "next": next_url}
        return JsonResponse({"redirect": reverse("accounts:recovery_codes_show")})
    return JsonResponse({"redirect": next_url or reverse("accounts:profile")})


@require_POST
def webauthn_sign_in_options(request):
    user = pending_user(request)
    if user is None:
        return _expired()
    rp_id, _ = relying_party(request)
    options, challenge = authentication_options(user=user, rp_id=rp_id)
    request.session[CHALLENGE] = challenge.hex()
    return JsonResponse(json.loads(options))


@require_POST
def webauthn_sign_in_verify(request):
    user = pending_user(request)
    challenge = request.session.pop(CHALLENGE, None)
    if user is None or challenge is None:
        return _expired()
    rp_id, origin = relying_party(request)
    if webauthn_credential_verify(
        user=user,
        response=json.dumps(_body(request).get("credential") or {}),
        challenge=bytes.fromhex(challenge),
        rp_id=rp_id,
        origin=origin,
    ):
        next_url = second_factor_complete(request, user)
        return JsonResponse({"redirect": next_url or reverse(settings.LOGIN_REDIRECT_URL)})
    if pending_failure(request):
        return _expired()
    return JsonResponse({"error": REFUSED}, status=400)


@never_cache
@require_GET
def recovery_codes_show(request):
    """The recovery codes made with a first key, shown once (then gone from the session)."""
    shown = request.session.pop(CODES_TO_SHOW, None)
    if not shown:
        return redirect("accounts:profile" if request.user.is_authenticated else settings.LOGIN_URL)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": shown["codes"], "next_url": shown["next"] or reverse(settings.LOGIN_REDIRECT_URL)},
    )
