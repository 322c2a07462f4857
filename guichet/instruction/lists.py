"""What an instructor's list of dossiers is: its tabs, its orders, the filters asked above it and
its page size. The lists themselves are read in selectors.py, searched in search.py."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import User
from guichet.dossiers.models import DossierState

from .models import DossierFollow


class Tab(models.TextChoices):
    """The instructor's working lists of one procedure."""

    TO_PROCESS = "a-traiter", _("À traiter")
    FOLLOWED = "suivis", _("Suivis")
    PROCESSED = "traites", _("Traités")
    ALL = "tous", _("Tous")
    # Handled dossiers kept out of the daily lists (Dossier.archived_at). Not « archivés »: that
    # word means transferred to the archives (guichet/archives).
    PUT_ASIDE = "mis-de-cote", _("Mis de côté")


# The tabs' former values, still understood (bookmarks, stored exports, API clients).
TAB_ALIASES = {"archives": Tab.PUT_ASIDE}


def tab_of(value: str | None, default: Tab = Tab.TO_PROCESS) -> Tab:
    """The tab a URL, a stored export or an API call names (a former value included)."""
    if not value:
        return default
    return TAB_ALIASES.get(value) or Tab(value)


PAGE_SIZE = 50
_PROCESSED_STATES = [*DossierState.decided(), DossierState.WITHDRAWN]


def tab_filter(tab: Tab, user: User) -> Q:
    if tab == Tab.PUT_ASIDE:
        return Q(archived_at__isnull=False)
    current = Q(archived_at__isnull=True)
    if tab == Tab.TO_PROCESS:
        return current & Q(state=DossierState.SUBMITTED)
    if tab == Tab.FOLLOWED:
        return current & Q(Exists(DossierFollow.objects.filter(dossier=OuterRef("pk"), user=user)))
    if tab == Tab.PROCESSED:
        return current & Q(state__in=_PROCESSED_STATES)
    return current


class ListOrder(models.TextChoices):
    """The orders of a list (the values are those of the list's URL)."""

    RECENT = "", "Les plus récents d’abord"
    OLDEST = "anciens", "Les plus anciens d’abord"
    # Nearest deadline first; the dossiers on which no deadline runs (decided, waiting for
    # corrections) come last, the latest filed first among them.
    DEADLINE = "echeance", "Échéance la plus proche d’abord"


@dataclass(frozen=True)
class ListFilters:
    """What the instructor asked for above the list; every value already validated."""

    tab: Tab = Tab.TO_PROCESS
    text: str = ""
    state: str = ""
    group_id: int | None = None
    # One answer: (field id, value as the answers store it); a list for a multiple choice holds the
    # options that the answer must include, a dict for an address the parts it must have.
    answer: tuple[str, Any] | None = None
    label_id: int | None = None
    mine: bool = False  # only the dossiers assigned to the instructor
    filed_from: date | None = None  # filed on or after that day (Paris time)
    filed_to: date | None = None  # filed on or before that day
    order: ListOrder = ListOrder.RECENT
