"""The observatory's arithmetic and its official colour levels, as pure functions (no database):
the thresholds are those of the state's observatory of online procedures (« Vos démarches
essentielles ») and of its barometer, so that Guichet's figures read like the state's."""

import datetime
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

# The observatory's opinion-based indicators are not judged on fewer opinions than this.
MINIMUM_OPINIONS = 100

ZONE_PATTERN = r"^(FRANCE|R\d{2}|D(\d{2}|2A|2B|97[1-8]))$"
# An edition of the quality table: a quarter, « 2026-T4 » (T for trimestre); sorts as text.
EDITION_PATTERN = r"^\d{4}-T[1-4]$"


class Level(models.TextChoices):
    """The observatory's colours; each goes with a text, so that colour is never the only cue."""

    BLUE = "blue", "Bleu"
    GREEN = "green", "Vert"
    YELLOW = "yellow", "Jaune"
    ORANGE = "orange", "Orange"
    RED = "red", "Rouge"
    GRAY = "gray", "Gris"


class OnlineStatus(models.TextChoices):
    YES = "yes", "Oui"
    PARTIAL = "partial", "En partie"
    NO = "no", "Non"
    PROACTIVE = "proactive", "Démarche proactive"


class ZoneLevel(models.TextChoices):
    NATIONAL = "national", "Nationale"
    REGIONAL = "regional", "Régionale"
    DEPARTMENTAL = "departmental", "Départementale"


Number = int | float | Decimal


def _float(value: Number | None) -> float | None:
    return None if value is None else float(value)


# --- Colour levels, one function per indicator ------------------------------------------------


def level_score(value: Number | None, *, opinions: int) -> Level:
    """Satisfaction, clarity of language and help efficiency, out of 10: green from 8, yellow
    from 5, red below; gray under MINIMUM_OPINIONS opinions."""
    if value is None or opinions < MINIMUM_OPINIONS:
        return Level.GRAY
    if value >= 8:
        return Level.GREEN
    if value >= 5:
        return Level.YELLOW
    return Level.RED


def level_help_reachable(percent: Number | None, *, opinions: int) -> Level:
    """Help reachable: green from 85 %, yellow from 70 %, red below; gray under MINIMUM_OPINIONS."""
    if percent is None or opinions < MINIMUM_OPINIONS:
        return Level.GRAY
    if percent >= 85:
        return Level.GREEN
    if percent >= 70:
        return Level.YELLOW
    return Level.RED


def level_rgaa(rate: Number | None) -> Level:
    """Accessibility (declared RGAA compliance rate): green at 100 %, yellow from 50 %, red below
    or when nothing is declared."""
    if rate is None:
        return Level.RED
    if rate >= 100:
        return Level.GREEN
    if rate >= 50:
        return Level.YELLOW
    return Level.RED


def level_dlnuf(count: int | None) -> Level:
    """« Dites-le-nous une fois »: green for 0 or 1 data asked that another administration holds,
    yellow for 2 to 4, red above; gray while not assessed."""
    if count is None:
        return Level.GRAY
    if count <= 1:
        return Level.GREEN
    if count <= 4:
        return Level.YELLOW
    return Level.RED


def level_uptime(percent: Number | None) -> Level:
    """Uptime over 3 months: green above 99.9 %, yellow from 98.5 %, red below."""
    if percent is None:
        return Level.GRAY
    percent = float(percent)
    if percent > 99.9:
        return Level.GREEN
    if percent >= 98.5:
        return Level.YELLOW
    return Level.RED


def level_performance(seconds: Number | None) -> Level:
    """Page load time: green under 0.4 s, yellow up to 0.8 s, red above."""
    if seconds is None:
        return Level.GRAY
    if seconds < 0.4:
        return Level.GREEN
    if seconds <= 0.8:
        return Level.YELLOW
    return Level.RED


def level_auth(franceconnect: bool | None) -> Level:
    """Sign-in with FranceConnect: blue (goal reached) when offered, red when not."""
    if franceconnect is None:
        return Level.GRAY
    return Level.BLUE if franceconnect else Level.RED


def level_online(status: str | None) -> Level:
    """Online end to end: green yes, yellow partly, red no, blue for a proactive procedure."""
    return {
        OnlineStatus.YES: Level.GREEN,
        OnlineStatus.PARTIAL: Level.YELLOW,
        OnlineStatus.NO: Level.RED,
        OnlineStatus.PROACTIVE: Level.BLUE,
    }.get(status, Level.GRAY)


def goal_reached(level: Level) -> bool:
    return level in (Level.GREEN, Level.BLUE)


# --- Arithmetic -------------------------------------------------------------------------------


def as_decimal(value: Number) -> Decimal:
    """A figure as a Decimal; a float through its shortest writing (0.1 is 0.1, not 0.1000000000000000055)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def half_up(value: Number, places: int) -> Decimal:
    """A figure rounded half up to `places` decimals, as a reader rounds it (1.25 → 1.3), never to
    the nearest even digit nor through the binary error of a float."""
    return as_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def drift(*, initial: Number | None, current: Number | None) -> Decimal | None:
    """(current − initial) / initial, the panorama's drift of a cost or a duration, computed on
    the decimal figures exactly; None when either is unknown or the initial one is zero."""
    if initial is None or current is None or initial == 0:
        return None
    start = as_decimal(initial)
    return (as_decimal(current) - start) / start


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The value below which `fraction` of the values fall, interpolated between the two nearest
    ranks (as PostgreSQL's percentile_cont and numpy's default do); `values` must be sorted."""
    if not values:
        return None
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    position = (len(values) - 1) * fraction
    lower, upper = math.floor(position), math.ceil(position)
    if lower == upper:
        return float(values[lower])
    return values[lower] + (values[upper] - values[lower]) * (position - lower)


def score_from_five(mean: Number | None) -> float | None:
    """An answer on a 1-to-5 scale (clarity, help quality) brought to /10: 1 is 0, 3 is 5, 5 is 10,
    like the smileys' 0 / 5 / 10."""
    return None if mean is None else (float(mean) - 1) * 2.5


def share(part: Number, whole: Number) -> float | None:
    """part / whole in percent, None when there is no whole."""
    return None if not whole else 100 * float(part) / float(whole)


def rounded(value: Number | None, digits: int = 1) -> float | None:
    """Figures are stored as shown, so that a colour never contradicts the figure beside it
    (7.96 shown « 8,0 » but coloured yellow)."""
    return None if value is None else round(float(value), digits)


def progress_rate(*, initial: Number | None, target: Number | None, actual: Number | None) -> float | None:
    """How far an indicator went from its initial value towards its target, in percent, bounded
    to 0–100 as the barometer publishes it (whichever the direction: a target below the initial
    value is a decrease to reach)."""
    if initial is None or target is None or actual is None or target == initial:
        return None
    rate = 100 * (float(actual) - float(initial)) / (float(target) - float(initial))
    return max(0.0, min(100.0, rate))


def online_status(*, phase: str, published: bool, partially: bool, proactive: bool) -> OnlineStatus:
    """Whether a programme's procedure is online end to end: a proactive procedure is blue; one
    published in Guichet or declared online is online, or partly when so declared."""
    if proactive:
        return OnlineStatus.PROACTIVE
    if published or phase == "online":
        return OnlineStatus.PARTIAL if partially else OnlineStatus.YES
    return OnlineStatus.NO


def edition_of(day: datetime.date) -> str:
    """The edition (quarter) a day belongs to: 2026-11-02 is « 2026-T4 »."""
    return f"{day.year}-T{(day.month - 1) // 3 + 1}"


def is_edition(text: str) -> bool:
    return bool(re.match(EDITION_PATTERN, text))


def edition_label(edition: str) -> str:
    """« 2026-T4 » as people read it: « 4e trimestre 2026 »."""
    year, quarter = edition.split("-T")
    return f"{quarter}{'er' if quarter == '1' else 'e'} trimestre {year}"


def zone_level(code: str) -> ZoneLevel:
    """FRANCE is national, R53 a region, D01 / D2A / D971 a département."""
    if not re.match(ZONE_PATTERN, code):
        raise ValueError(f"unknown zone: {code}")
    if code == "FRANCE":
        return ZoneLevel.NATIONAL
    return ZoneLevel.REGIONAL if code.startswith("R") else ZoneLevel.DEPARTMENTAL


# --- One indicator, as the pages and the open data show it -------------------------------------

LEVEL_TEXT = {
    Level.BLUE: "Objectif atteint",
    Level.GREEN: "Bon",
    Level.YELLOW: "Moyen",
    Level.ORANGE: "À améliorer",
    Level.RED: "Insuffisant",
    Level.GRAY: "Non évalué",
}


@dataclass(frozen=True)
class Verdict:
    """One indicator of one procedure: its slug and label (the state's observatory's), its value,
    how it reads, its colour and the colour's meaning in words."""

    slug: str
    label: str
    value: float | str | bool | None
    text: str
    level: Level
    level_text: str

    @property
    def goal_reached(self) -> bool:
        return goal_reached(self.level)


def _number(value: float | None, suffix: str = "", digits: int = 1) -> str:
    if value is None:
        return "Non mesuré"
    text = f"{value:.{digits}f}".replace(".", ",")
    return f"{text}{suffix}"


def verdict(slug: str, label: str, value, text: str, level: Level, *, gray_text: str = "") -> Verdict:
    level_text = gray_text if level == Level.GRAY and gray_text else LEVEL_TEXT[level]
    return Verdict(slug=slug, label=label, value=value, text=text, level=level, level_text=level_text)


def _few_opinions(value, opinions: int) -> str:
    """Why a measured opinion-based indicator is gray."""
    return f"Moins de {MINIMUM_OPINIONS} avis ({opinions})" if value is not None and opinions < MINIMUM_OPINIONS else ""


def score_verdict(slug: str, label: str, value: float | None, *, opinions: int) -> Verdict:
    text = "Pas encore d’avis" if value is None else _number(value, " / 10")
    gray = _few_opinions(value, opinions)
    return verdict(slug, label, value, text, level_score(value, opinions=opinions), gray_text=gray)


def help_reachable_verdict(percent: float | None, *, opinions: int) -> Verdict:
    text = "Pas encore d’avis" if percent is None else _number(percent, " %")
    gray = _few_opinions(percent, opinions)
    level = level_help_reachable(percent, opinions=opinions)
    return verdict("help_reachable", "Aide joignable", percent, text, level, gray_text=gray)


def rgaa_verdict(rate: Number | None) -> Verdict:
    value = _float(rate)
    text = "Pas de déclaration" if value is None else _number(value, " %", digits=0 if value == int(value) else 1)
    return verdict("handicap", "Accessibilité (taux RGAA)", value, text, level_rgaa(rate))


def dlnuf_verdict(count: int | None, *, sourced_share_pct: float | None = None) -> Verdict:
    """`count`: the data asked although an administration holds them; `sourced_share_pct`, for a
    procedure in Guichet: the share of its questions that a data source fills."""
    if count is None:
        text = "Non évalué"
    elif count == 0:
        text = "Aucune donnée déjà détenue"
    else:
        text = f"{count} donnée{'s' if count > 1 else ''} déjà détenue{'s' if count > 1 else ''}"
    if count is not None and sourced_share_pct:
        text += f" ; {_number(sourced_share_pct, ' %', digits=0)} des champs préremplis"
    return verdict("dlnuf", "Dites-le-nous une fois", count, text, level_dlnuf(count))


def online_verdict(status: str) -> Verdict:
    text = str(OnlineStatus(status).label) if status in OnlineStatus.values else "Non renseigné"
    return verdict("online", "Réalisable en ligne", status, text, level_online(status))


def auth_verdict(franceconnect: bool | None) -> Verdict:
    text = {True: "FranceConnect", False: "Sans FranceConnect", None: "Non concerné"}[franceconnect]
    return verdict("auth", "Identification (FranceConnect)", franceconnect, text, level_auth(franceconnect))


def usage_verdict(percent: float | None) -> Verdict:
    text = "Non mesuré" if percent is None else _number(percent, " %")
    return verdict("usage", "Taux d’utilisation du numérique", percent, text, Level.GRAY, gray_text="Sans seuil")


def help_used_verdict(percent: float | None, *, opinions: int) -> Verdict:
    """How many applicants needed help (the observatory's « niveau d’autonomie »): no threshold."""
    text = "Pas encore d’avis" if percent is None else _number(percent, " %")
    gray = _few_opinions(percent, opinions) or "Sans seuil"
    return verdict("help_used", "Besoin d’aide", percent, text, Level.GRAY, gray_text=gray)


def uptime_verdict(percent: float | None) -> Verdict:
    text = "Non mesuré" if percent is None else _number(percent, " %", digits=2)
    return verdict("uptime", "Disponibilité (3 mois)", percent, text, level_uptime(percent))


def performance_verdict(seconds: float | None) -> Verdict:
    text = "Non mesuré" if seconds is None else _number(seconds, " s", digits=2)
    return verdict("performance", "Rapidité d’affichage", seconds, text, level_performance(seconds))
