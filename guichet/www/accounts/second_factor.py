"""The second factor's screens: the code asked after the password, enrolling an authenticator app
(QR code and confirmation code), recovery codes (shown once), turning it off (applicants only)."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from guichet.accounts.models import WebAuthnCredential
from guichet.accounts.second_factor import (
    recovery_code_use,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_disable,
    second_factor_enrolled,
    second_factor_mandatory,
    totp_device_confirm,
    totp_provisioning_uri,
    totp_secret_new,
    totp_verify,
)
from guichet.core.encryption import EncryptionKeyMissing, text_decrypt, text_encrypt

from .forms import SecondFactorForm, TOTPSetupForm
from .second_factor_flow import pending_failure, pending_user, second_factor_complete

SETUP_SECRET = "second_factor_setup_secret"  # noqa: S105 (the name of a session key)


def _expired(request):
    messages.error(request, "Votre connexion a expiré : saisissez à nouveau votre adresse et votre mot de passe.")
    return redirect(settings.LOGIN_URL)


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """After the password: the app's code or a recovery code (or a security key, with JavaScript)."""
    user = pending_user(request)
    if user is None:
        return _expired(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        app_code = totp_verify(user=user, code=code)
        used_recovery = not app_code and recovery_code_use(user=user, code=code)
        if app_code or used_recovery:
            next_url = second_factor_complete(request, user)
            if used_recovery:
                messages.warning(
                    request,
                    f"Vous vous êtes connecté avec un code de secours ; il vous en reste {recovery_codes_left(user)}. "
                    "Vous pouvez en obtenir de nouveaux depuis la page « Mon compte ».",
                )
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        if pending_failure(request):
            messages.error(request, "Trop de codes erronés : reprenez la connexion depuis le début.")
            return redirect(settings.LOGIN_URL)
        form.add_error("code", "Ce code n’est pas valable. Vérifiez-le, ou attendez le code suivant.")
    has_app = hasattr(user, "totp_device")
    has_keys = WebAuthnCredential.objects.filter(user=user).exists()
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "has_app": has_app, "has_keys": has_keys},
        status=400 if form.errors else 200,
    )


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=5, title="QR code à scanner avec l’application")


def _setup_secret(request) -> str:
    """The secret being enrolled, kept encrypted in the session: sessions are stored in the database."""
    try:
        return text_decrypt(request.session[SETUP_SECRET]) if request.session.get(SETUP_SECRET) else ""
    except EncryptionKeyMissing:
        return ""  # encrypted with a key since removed: a new secret is drawn


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), then type its first code.
    Reached while signing in (an agent without a second factor) or from the account page."""
    signed_in = request.user.is_authenticated
    user = request.user if signed_in else pending_user(request)
    if user is None:
        return _expired(request)
    if not signed_in and second_factor_enrolled(user):
        # Only the second factor already enrolled can open the session: adding another one takes a
        # session (the password alone must not be enough to replace it).
        return redirect("accounts:second_factor")
    secret = _setup_secret(request)
    if not secret or request.method == "GET":
        secret = totp_secret_new()
        request.session[SETUP_SECRET] = text_encrypt(secret)
    form = TOTPSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_device_confirm(actor=user, user=user, secret=secret, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.pop(SETUP_SECRET, None)
            next_url = "" if signed_in else second_factor_complete(request, user)
            messages.success(request, "La double authentification est activée pour votre compte.")
            if not codes:
                return redirect(next_url or "accounts:profile")
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next_url": next_url or resolve_url(settings.LOGIN_REDIRECT_URL)},
            )
    uri = totp_provisioning_uri(user=user, secret=secret)
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(uri),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "signing_in": not signed_in,
            "webauthn_offered": not signed_in,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_POST
def recovery_codes_new(request):
    try:
        codes = recovery_codes_regenerate(actor=request.user, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:profile")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next_url": ""})


@login_required
@require_POST
def second_factor_off(request):
    try:
        second_factor_disable(actor=request.user, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "La double authentification est désactivée pour votre compte.")
    return redirect("accounts:profile")


def second_factor_summary(user) -> dict:
    """What the account page says about the second factor."""
    return {
        "mandatory": second_factor_mandatory(user),
        "enrolled": second_factor_enrolled(user),
        "has_app": hasattr(user, "totp_device"),
        "keys": list(WebAuthnCredential.objects.filter(user=user).order_by("created_at")),
        "recovery_left": recovery_codes_left(user),
    }
