"""Answers that came from a data source (API Entreprise, API Particulier): what the applicant sees
and cannot change, and what the instructors read about each (decision 0032). The calls themselves
are in sources.py."""

from typing import Any

from django.db.models import Exists, OuterRef, prefetch_related_objects
from django.utils import timezone
from stdnum.fr import siret as stdnum_siret

from guichet.connectors.data_sources import PROVIDER_NAMES

from .models import Dossier, SourcedValue, SourceOutcome

# Why a field is typed, in the instructor's note: « Donnée saisie par l'usager : <reason> le … ».
_FAILURES = {
    SourceOutcome.NOT_FOUND: "introuvable dans {source}",
    SourceOutcome.UNAVAILABLE: "{source} indisponible",
    SourceOutcome.TIMEOUT: "{source} trop lent à répondre",
    SourceOutcome.RATE_LIMITED: "{source} saturé (trop de demandes)",
    SourceOutcome.REFUSED: "accès à {source} refusé",
    SourceOutcome.NOT_CONFIGURED: "{source} non configuré",
    SourceOutcome.NO_IDENTITY: "usager non connecté avec FranceConnect pour {source}",
}


def siret_compact(value: Any) -> str:
    """A SIRET answer as the source is asked it (digits only); empty when it is not a valid one."""
    text = stdnum_siret.compact(str(value or ""))
    return text if stdnum_siret.is_valid(text) else ""


def sourced_note(row: SourcedValue) -> str:
    """What the instructors (and the applicant) read beside the field, in French."""
    source = PROVIDER_NAMES.get(row.provider, row.provider)
    moment = f"{timezone.localtime(row.fetched_at):%d/%m/%Y à %H:%M}"
    if row.certified:
        return f"Donnée issue d’{source}, le {moment}"
    reason = _FAILURES.get(SourceOutcome(row.outcome), "{source} indisponible").format(source=source)
    return f"Donnée saisie par l’usager : {reason} le {moment}"


# Whether the dossier has sourced values, when it was read with it (selectors.dossier_for_applicant).
HAS_SOURCED_VALUES = "has_sourced_values"


def sourced_values_exist() -> Exists:
    """What to annotate a dossier's query with (as HAS_SOURCED_VALUES): a dossier without sourced
    values (most) then needs no query for them."""
    return Exists(SourcedValue.objects.filter(dossier=OuterRef("pk")))


def _rows(dossier: Dossier) -> list[SourcedValue]:
    """The dossier's sourced values, read once per dossier object: a page's request asks for them
    up to three times (the answers kept, the page shown). `sourced_forget` after they change."""
    if getattr(dossier, HAS_SOURCED_VALUES, None) is False:
        return []
    prefetch_related_objects([dossier], "sourced_values")
    return list(dossier.sourced_values.all())


def sourced_forget(dossier: Dossier) -> None:
    """The dossier's sourced values changed: read them again next time."""
    getattr(dossier, "_prefetched_objects_cache", {}).pop("sourced_values", None)
    dossier.__dict__.pop(HAS_SOURCED_VALUES, None)


def sourced_notes(dossier: Dossier) -> dict[str, str]:
    """field id → where its answer comes from, for the summaries (instructors and applicant)."""
    return {row.field_id: sourced_note(row) for row in _rows(dossier)}


def sourced_values_by_field(dossier: Dossier) -> dict[str, SourcedValue]:
    return {row.field_id: row for row in _rows(dossier)}


def answers_certified_kept(dossier: Dossier, answers: dict[str, Any]) -> dict[str, Any]:
    """`answers` with every certified value put back as the source gave it (whatever was posted:
    a read-only input is no protection), except those of an establishment whose SIRET the
    applicant changed since: these are no longer certified, and their answers are cleared."""
    rows = [row for row in _rows(dossier) if row.certified]
    if not rows:
        return answers
    answers = dict(answers)
    stale = []
    for row in rows:
        if row.siret_field and siret_compact(answers.get(row.siret_field)) != row.subject:
            stale.append(row.pk)
            answers.pop(row.field_id, None)
        elif row.value is None:
            answers.pop(row.field_id, None)
        else:
            answers[row.field_id] = row.value
    if stale:
        SourcedValue.objects.filter(pk__in=stale).delete()
        sourced_forget(dossier)
    return answers
