"""The one-use link of a prefilled dossier (made by a partner through the API): the person signs in
or signs up (and comes back here), then claims it, which makes a draft of theirs with the answers
given, opened at its first page. Used or expired, the link says so plainly."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from guichet.accounts.names import user_needs_name
from guichet.dossiers.prefill import PrefillUnavailable, prefilled_draft_claim, prefilled_draft_of_token

# Unknown: there is nothing here (404); used or expired: it was there and is no more (410).
_STATUS = {"unknown": 404, "used": 410, "expired": 410}
NAME_ASKED = "Avant de commencer, indiquez votre prénom et votre nom : ils figureront sur votre dossier."
CLAIMED = "Le dossier prérempli est dans vos brouillons : vérifiez les réponses et complétez-le."


def _unavailable(request: HttpRequest, error: PrefillUnavailable) -> HttpResponse:
    context = {"message": error.messages[0], "reason": error.reason}
    return render(request, "usager/prefill_unavailable.html", context, status=_STATUS[error.reason])


def prefill_claim(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link holds (and how to sign in); POST, signed in, claims it."""
    here = request.path
    if request.method == "POST" and request.user.is_authenticated:
        return _claim(request, token)
    try:
        draft = prefilled_draft_of_token(token)
    except PrefillUnavailable as error:
        return _unavailable(request, error)
    if not request.user.is_authenticated:
        context = {
            "draft": draft,
            "login_url": f"{reverse('accounts:login')}?{urlencode({'next': here})}",
            "signup_url": f"{reverse('accounts:signup')}?{urlencode({'next': here})}",
        }
        return render(request, "usager/prefill_claim.html", context)
    return render(request, "usager/prefill_claim.html", {"draft": draft, "login_url": "", "signup_url": ""})


def _claim(request: HttpRequest, token: str) -> HttpResponse:
    # Claimed first, checked inside: the same person clicking twice gets their draft back.
    if user_needs_name(request.user):
        messages.info(request, NAME_ASKED)
        return redirect(f"{reverse('accounts:profile')}?{urlencode({'next': request.path})}")
    try:
        dossier = prefilled_draft_claim(actor=request.user, token=token)
    except PrefillUnavailable as error:
        return _unavailable(request, error)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(request.path)
    messages.success(request, CLAIMED)
    return redirect("usager:dossier_page", pk=dossier.pk, number=1)
