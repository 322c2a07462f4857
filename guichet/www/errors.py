"""The error pages, in French and in the DSFR's « page d'erreur » pattern: Django's handlers
(config/urls.py), the CSRF failure view (CSRF_FAILURE_VIEW), and the pages the request guard
answers (guichet/www/middleware.py). The API keeps its JSON errors (guichet/api/errors.py)."""

import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django_ratelimit.exceptions import Ratelimited

from guichet.api import errors as api_errors
from guichet.www.context_processors import accessibility

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorPage:
    status: int
    title: str
    lead: str
    details: tuple[str, ...] = ()
    back_url: str = ""
    back_label: str = "Page précédente"
    contact_email: str = ""
    # What to do when the error is shown inside the page whose script sent the request (htmx:
    # guichet/core/static/guichet/request_errors.js), where "go back to the previous page" is wrong.
    in_page: tuple[str, ...] = ()


PAGES = {
    400: ErrorPage(
        400,
        "Demande incorrecte",
        "Votre demande n’a pas pu être comprise.",
        ("Rien n’a été enregistré. Revenez à la page précédente et réessayez.",),
    ),
    403: ErrorPage(
        403,
        "Accès refusé",
        "Vous n’avez pas le droit d’ouvrir cette page.",
        (
            "Elle est peut-être réservée à une autre personne, ou à un autre rôle.",
            "Si vous avez plusieurs comptes, vérifiez que vous êtes connecté avec le bon.",
        ),
    ),
    404: ErrorPage(
        404,
        "Page non trouvée",
        "La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.",
        (
            "Si vous avez tapé l’adresse web dans le navigateur, vérifiez qu’elle est correcte. "
            "La page n’est peut-être plus disponible.",
            "Dans ce cas, pour continuer votre visite, vous pouvez consulter notre page d’accueil.",
        ),
    ),
    405: ErrorPage(
        405,
        "Cette page ne s’ouvre pas ainsi",
        "Cette adresse reçoit un formulaire envoyé depuis une autre page : elle ne s’affiche pas seule.",
        ("Rien n’a été enregistré. Revenez à la page précédente pour continuer.",),
    ),
    413: ErrorPage(
        413,
        "Envoi trop volumineux",
        "Ce que vous avez envoyé dépasse la taille acceptée.",
        ("Rien n’a été enregistré. Raccourcissez votre texte, ou envoyez vos fichiers un par un.",),
    ),
    429: ErrorPage(
        429,
        "Trop de demandes",
        "Vous avez fait trop de demandes en peu de temps.",
        ("Pour protéger le service, patientez quelques minutes, puis réessayez.",),
    ),
    500: ErrorPage(
        500,
        "Erreur inattendue",
        "Désolé, le service rencontre un problème. Nous travaillons à le résoudre le plus rapidement possible.",
        ("Essayez de recharger la page, ou revenez plus tard.",),
    ),
}

REFUSED_CHARACTERS = replace(
    PAGES[400],
    title="Caractères non acceptés",
    lead="Votre saisie contient des caractères invisibles qui ne peuvent pas être enregistrés "
    "(un caractère nul, ou un caractère incomplet).",
    details=(
        "Ils viennent souvent d’un copier-coller depuis un autre logiciel. Rien n’a été enregistré.",
        "Revenez à la page précédente, retapez le texte concerné au lieu de le coller, puis envoyez de nouveau.",
    ),
    in_page=(
        "Ils viennent souvent d’un copier-coller depuis un autre logiciel. Rien n’a été enregistré.",
        "Retapez le texte concerné au lieu de le coller : il sera alors enregistré.",
    ),
)

CSRF_FAILURE = replace(
    PAGES[403],
    title="Formulaire expiré",
    lead="Le formulaire n’a pas pu être envoyé : il a été ouvert il y a trop longtemps, "
    "dans un autre onglet, ou les cookies sont bloqués par votre navigateur.",
    details=(
        "Rien n’a été enregistré. Revenez à la page précédente, rechargez-la, puis envoyez de nouveau le formulaire.",
        "Si cela se reproduit, vérifiez que votre navigateur accepte les cookies de ce site.",
    ),
    in_page=(
        "Rien n’a été enregistré. Rechargez la page, puis saisissez de nouveau votre dernière réponse.",
        "Si cela se reproduit, vérifiez que votre navigateur accepte les cookies de ce site.",
    ),
)


def _back_url(request: HttpRequest) -> str:
    """The page the person came from, when it is one of ours and not the page that failed."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or referer == request.build_absolute_uri():
        return ""
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=False):
        return ""
    return referer


def error_response(request: HttpRequest, page: ErrorPage) -> HttpResponse:
    """The page of an error, with the person's header when it can be drawn, else a plain one."""
    page = replace(page, back_url=page.back_url or _back_url(request), contact_email=settings.GUICHET_CONTACT_EMAIL)
    # Read before django-htmx's middleware may have run (the request guard comes first).
    if page.in_page and request.headers.get("HX-Request") == "true":
        page = replace(page, details=page.in_page)
    try:
        return render(request, "errors/page.html", {"error": page}, status=page.status)
    except Exception:
        # The database (read for the person's header) may be what failed: drawn without it.
        logger.exception("Error page drawn without the person's header")
        context = {
            "error": page,
            "user": AnonymousUser(),
            "roles": {},
            "messages": [],
            "platform_name": settings.GUICHET_PLATFORM_NAME,
            "operator_name": settings.GUICHET_OPERATOR_NAME,
            **accessibility(request),
        }
        return HttpResponse(render_to_string("errors/page.html", context), status=page.status)


API_DETAILS = {
    400: "Requête incorrecte.",
    403: "Accès refusé.",
    404: "Cette adresse n’existe pas dans l’API.",
    429: "Trop de requêtes : réessayez plus tard.",
    500: "Erreur inattendue du service : réessayez plus tard.",
}


def _answer(request: HttpRequest, status: int) -> HttpResponse:
    if request.path.startswith(api_errors.PREFIX):
        return api_errors.error_response(status, API_DETAILS[status])
    return error_response(request, PAGES[status])


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _answer(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    # django-ratelimit's `block=True` raises Ratelimited, a PermissionDenied: it is a 429.
    return _answer(request, 429 if isinstance(exception, Ratelimited) else 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _answer(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _answer(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(request, CSRF_FAILURE)
