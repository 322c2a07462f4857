"""The footer's legal pages: mentions légales, données personnelles, gestion des cookies and the
accessibility statement, filled from the installation's settings (GUICHET_LEGAL)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.shortcuts import render

from guichet.core.read_your_writes import PIN_COOKIE


@dataclass(frozen=True)
class Conformity:
    """The conformity state of the accessibility statement, as the RGAA's model words it."""

    state: str  # "totalement conforme", "partiellement conforme" or "non conforme"
    rate: Decimal | None  # the audit's rate, in percent; None when there was no audit


def accessibility_conformity(rate: str) -> Conformity:
    """RGAA: « totalement conforme » when every applicable criterion is met, « partiellement
    conforme » from 50 %, « non conforme » below, or when no audit measured a rate."""
    try:
        value = Decimal(str(rate).replace(",", ".").replace("%", "").strip())
    except InvalidOperation:
        return Conformity(state="non conforme", rate=None)
    if not value.is_finite() or not 0 <= value <= 100:
        return Conformity(state="non conforme", rate=None)
    if value == 100:
        return Conformity(state="totalement conforme", rate=value)
    return Conformity(state="partiellement conforme" if value >= 50 else "non conforme", rate=value)


def _context() -> dict:
    return {"legal": settings.GUICHET_LEGAL}


def legal_notice(request):
    return render(request, "public/legal/mentions_legales.html", _context())


def personal_data(request):
    return render(request, "public/legal/donnees_personnelles.html", _context())


def cookies(request):
    context = _context() | {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session_days": settings.SESSION_COOKIE_AGE // 86_400,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "messages_cookie": "messages",
        "primary_cookie": PIN_COOKIE,
        "primary_seconds": settings.GUICHET_REPLICA_PIN_SECONDS,
    }
    return render(request, "public/legal/cookies.html", context)


def accessibility(request):
    legal = settings.GUICHET_LEGAL
    context = _context() | {
        "conformity": accessibility_conformity(legal["accessibility_rate"]),
        "site_url": settings.GUICHET_SITE_URL,
    }
    return render(request, "public/legal/accessibilite.html", context)


def site_map(request):
    return render(request, "public/legal/plan_du_site.html", _context())
