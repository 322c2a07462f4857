"""Signing in and out (local account or FranceConnect), signing up, and the "Mon compte" page."""

import logging

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlencode, urlsafe_base64_decode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from guichet.accounts import franceconnect, proconnect
from guichet.accounts.lockout import address_locked, lockout_ends_at
from guichet.accounts.models import User
from guichet.accounts.second_factor import second_factor_required
from guichet.accounts.selectors import applicant_identity
from guichet.accounts.services import (
    FranceConnectAccountConflict,
    franceconnect_sign_in,
    user_confirmation_resend,
    user_email_confirm,
    user_profile_update,
    user_signup,
)
from guichet.accounts.tokens import email_confirmation_token

from .assurance import FRANCECONNECT, assurance_mark
from .forms import ConfirmationResendForm, ProfileForm, SignInForm, SignUpForm
from .navigation import next_url_of
from .proconnect import SESSION_ID_TOKEN as PROCONNECT_ID_TOKEN
from .proconnect import proconnect_logout
from .second_factor import second_factor_summary
from .second_factor_flow import LOCAL_BACKEND, second_factor_begin

logger = logging.getLogger(__name__)

SESSION_ID_TOKEN = "franceconnect_id_token"  # noqa: S105 (the name of a session key)
SESSION_NEXT = "franceconnect_next"


_next_url = next_url_of


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _site_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        """The password is right: the session opens now, or after the second factor."""
        user = form.get_user()
        if second_factor_required(user):
            return second_factor_begin(self.request, user=user, next_url=self.get_redirect_url())
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        next_url = _next_url(self.request)
        context.update(
            franceconnect_enabled=franceconnect.is_configured(),
            proconnect_enabled=proconnect.is_configured(),
            signup_url=_with_next(reverse("accounts:signup"), next_url),
        )
        return context


class SignOutView(auth_views.LogoutView):
    """Signs out of Guichet; after a FranceConnect or ProConnect sign-in, of that provider too (its
    end-session endpoint with `id_token_hint`, then back to its `…_logout_return`)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(SESSION_ID_TOKEN)
        proconnect_id_token = request.session.get(PROCONNECT_ID_TOKEN)
        response = super().post(request, *args, **kwargs)
        if proconnect_id_token:
            return proconnect_logout(request, id_token=proconnect_id_token) or response
        if id_token and franceconnect.is_configured():
            try:
                return franceconnect.logout_redirect(
                    request,
                    id_token=id_token,
                    post_logout_redirect_uri=request.build_absolute_uri(
                        reverse("accounts:franceconnect_logout_return")
                    ),
                )
            except franceconnect.FranceConnectError as error:
                logger.warning("FranceConnect logout: %s", error.reason)
        return response


def locked_out(request, response=None, credentials=None):
    """The page django-axes shows after too many failures (AXES_LOCKOUT_CALLABLE)."""
    username = get_client_username(request, credentials)
    ends_at = lockout_ends_at(request=request, username=username)
    context = {
        "by_address": address_locked(request),
        "address_limit": settings.GUICHET_SIGNIN_FAILURE_LIMIT_PER_ADDRESS,
        "ends_at": timezone.localtime(ends_at) if ends_at else None,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/locked_out.html", context, status=429)


def _emails_limited(request, email: str) -> bool:
    """Whether one more email to `email`, asked from this client, would pass the hourly limits
    (settings GUICHET_EMAILS_PER_ADDRESS and GUICHET_EMAILS_PER_CLIENT); counts this one."""
    address = email.strip().lower()
    limits = [
        ("emails-address", lambda group, request: address, settings.GUICHET_EMAILS_PER_ADDRESS),
        ("emails-client", "ip", settings.GUICHET_EMAILS_PER_CLIENT),
    ]
    # Both are counted, even when the first one is reached already.
    reached = [is_ratelimited(request, group=group, key=key, rate=rate, increment=True) for group, key, rate in limits]
    return any(reached)


def emails_limited_response(request):
    return render(request, "accounts/emails_limited.html", status=429)


@require_http_methods(["GET", "POST"])
def signup(request):
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _emails_limited(request, form.cleaned_data["email"]):
            return emails_limited_response(request)
        user_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            site_url=_site_url(request),
            next_url=next_url,
        )
        return redirect("accounts:signup_sent")
    return render(
        request,
        "accounts/signup.html",
        {
            "form": form,
            "next": next_url,
            "franceconnect_enabled": franceconnect.is_configured(),
            "login_url": _with_next(reverse("accounts:login"), next_url),
        },
    )


@require_GET
def signup_sent(request):
    return render(request, "accounts/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_resend(request):
    next_url = _next_url(request)
    form = ConfirmationResendForm(request.POST or None, initial={"email": request.GET.get("email", "")[:254]})
    if request.method == "POST" and form.is_valid():
        if _emails_limited(request, form.cleaned_data["email"]):
            return emails_limited_response(request)
        user_confirmation_resend(email=form.cleaned_data["email"], site_url=_site_url(request), next_url=next_url)
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup_resend.html", {"form": form, "next": next_url})


def _user_from_link(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64)))).first()
    except (TypeError, ValueError, OverflowError):
        return None
    if user is None or not user.is_awaiting_confirmation or not email_confirmation_token.check_token(user, token):
        return None
    return user


@require_http_methods(["GET", "POST"])
def signup_confirm(request, uidb64: str, token: str):
    """The link from the confirmation email. Following it shows a button that confirms and signs in:
    mail scanners that open every link do not confirm anything, nor get a session."""
    next_url = _next_url(request)
    user = _user_from_link(uidb64, token)
    if user is None:
        return render(
            request,
            "accounts/signup_confirm.html",
            {"valid_link": False, "resend_url": _with_next(reverse("accounts:signup_resend"), next_url)},
            status=400 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        user = user_email_confirm(user=user)
        login(request, user, backend=LOCAL_BACKEND)
        messages.success(request, "Votre adresse électronique est confirmée : vous êtes connecté à votre compte.")
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/signup_confirm.html", {"valid_link": True, "email": user.email, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    identity = applicant_identity(request.user)
    form = None
    if identity is None:
        form = ProfileForm(
            request.POST or None,
            initial={"first_name": request.user.first_name, "last_name": request.user.last_name},
        )
        if request.method == "POST" and form.is_valid():
            try:
                user_profile_update(
                    actor=request.user,
                    user=request.user,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Vos informations sont enregistrées.")
                return redirect(_next_url(request) or "accounts:profile")
    elif request.method == "POST":
        messages.error(request, "Votre identité est certifiée par FranceConnect : elle ne peut pas être modifiée ici.")
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "identity": identity,
            "form": form,
            "next": _next_url(request),
            "second_factor": second_factor_summary(request.user),
        },
    )


def _franceconnect_failure(request, message: str, *, cancelled: bool = False, status: int = 400):
    return render(
        request,
        "accounts/sign_in_provider_error.html",
        {
            "provider": "FranceConnect",
            "message": message,
            "cancelled": cancelled,
            "login_url": resolve_url(settings.LOGIN_URL),
        },
        status=status,
    )


@require_POST
def franceconnect_login(request):
    if not franceconnect.is_configured():
        raise Http404("FranceConnect n’est pas proposé sur ce service.")
    request.session[SESSION_NEXT] = _next_url(request)
    try:
        return franceconnect.authorization_redirect(
            request, redirect_uri=request.build_absolute_uri(reverse("accounts:franceconnect_callback"))
        )
    except franceconnect.FranceConnectError as error:
        logger.warning("FranceConnect sign-in: %s", error.reason)
        return _franceconnect_failure(request, error.message, status=502)


@require_GET
def franceconnect_callback(request):
    if not franceconnect.is_configured():
        raise Http404("FranceConnect n’est pas proposé sur ce service.")
    try:
        result = franceconnect.authorization_complete(request)
    except franceconnect.FranceConnectError as error:
        logger.warning("FranceConnect sign-in: %s", error.reason)
        return _franceconnect_failure(
            request, error.message, cancelled=error.cancelled, status=200 if error.cancelled else 400
        )
    try:
        user = franceconnect_sign_in(claims=result.claims, acr=result.acr)
    except FranceConnectAccountConflict:
        return _franceconnect_failure(
            request,
            "L’adresse électronique transmise par FranceConnect est déjà celle d’un compte relié à une autre "
            "identité FranceConnect. Connectez-vous avec votre adresse et votre mot de passe, ou contactez-nous.",
        )
    except ValidationError as error:
        logger.warning("FranceConnect sign-in refused: %s", error.messages)
        return _franceconnect_failure(request, " ".join(error.messages))
    next_url = _next_url(request, request.session.pop(SESSION_NEXT, ""))
    if second_factor_required(user):
        # An agent's account (or an applicant who turned it on): FranceConnect is the first factor.
        return second_factor_begin(
            request, user=user, next_url=next_url, session_extra={SESSION_ID_TOKEN: result.id_token}
        )
    login(request, user, backend=LOCAL_BACKEND)
    assurance_mark(request, FRANCECONNECT)
    request.session[SESSION_ID_TOKEN] = result.id_token
    messages.success(request, "Vous êtes connecté avec FranceConnect.")
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


@require_GET
def franceconnect_logout_return(request):
    """Where FranceConnect sends the browser back after its own logout."""
    if franceconnect.is_configured():
        try:
            franceconnect.logout_complete(request)
        except franceconnect.FranceConnectError as error:
            logger.warning("FranceConnect logout return: %s", error.reason)
        else:
            messages.success(request, "Vous êtes déconnecté de ce service et de FranceConnect.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's « mot de passe oublié », within the same hourly limits of emails as sign-up."""

    def form_valid(self, form):
        if _emails_limited(self.request, form.cleaned_data["email"]):
            return emails_limited_response(self.request)
        return super().form_valid(form)


def admin_login_redirect(request):
    """The Django admin's sign-in page: Guichet's own, then back to the admin."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
