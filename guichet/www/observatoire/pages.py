"""The observatory's public pages: the quality of each procedure (the table, and each procedure's page
with its months), the programme and the results barometer. They read the summary tables that the
aggregation fills, never the dossiers; the quality pages show the latest edition or a past one
(`?edition=`)."""

from django.db.models import Max
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode

from guichet.accounts.models import Organisation
from guichet.core.replicas import reads_from_replica
from guichet.observatory import indicators as ind
from guichet.observatory import selectors as obs
from guichet.observatory.models import Computation, ProcedureQuality

from .charts import barometer_chart, months_charts


def _computed_at(edition: str | None):
    """When the edition's computed indicators were last computed (None before the first run)."""
    return ProcedureQuality.objects.filter(edition=edition or "").aggregate(at=Max("computed_at"))["at"]


def _edition_asked(request, editions: list[str], *, every: bool = False) -> str | None:
    """The edition asked for in `?edition=` (None: the latest); obs.ALL_EDITIONS where `every`."""
    asked = request.GET.get("edition", "").strip()[:10]
    if not asked:
        return None
    if (every and asked == obs.ALL_EDITIONS) or asked in editions:
        return asked
    raise Http404("Cette édition du tableau n’existe pas.")


def _editions_context(editions: list[str], shown: str | None, *, latest: str | None) -> dict:
    """What the edition picker shows: each edition with its label, the one shown (the table's
    latest by default), whether it is a past one (frozen) and the query string that keeps it in
    the other links."""
    shown = shown or latest
    choices = [
        (edition, ind.edition_label(edition) + (" (en cours)" if edition == latest else "")) for edition in editions
    ]
    past = shown is not None and shown != latest
    return {
        "editions": choices,
        "edition": shown,
        "edition_label": ind.edition_label(shown) if shown else "",
        "latest_edition_label": ind.edition_label(latest) if latest else "",
        "edition_is_past": past,
        "edition_query": f"?{urlencode({'edition': shown})}" if past else "",
    }


def _organisations_with_entries() -> list[tuple[str, str]]:
    return list(
        Organisation.objects.filter(programme_entries__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )


def _is_steering(request) -> bool:
    return bool(obs.steering_organisation_ids(request.user))


@reads_from_replica
def quality(request):
    organisation = request.GET.get("organisation", "").strip()[:80]
    editions = obs.quality_editions()
    edition = _edition_asked(request, editions)
    context = {
        "rows": obs.quality_rows(organisation_slug=organisation, edition=edition),
        "organisation": organisation,
        "organisations": _organisations_with_entries(),
        "computed_at": _computed_at(edition or (editions[0] if editions else None)),
        "is_steering": _is_steering(request),
        **_editions_context(editions, edition, latest=editions[0] if editions else None),
    }
    return render(request, "observatoire/quality.html", context)


@reads_from_replica
def entry_detail(request, pk: int):
    entry = obs.entry_public(pk)
    if entry is None:
        raise Http404("Cette démarche n’est pas dans le programme.")
    latest = obs.latest_edition()
    editions = obs.entry_editions(entry)
    if latest is not None and latest not in editions:
        editions = [latest, *editions]  # not computed in the latest edition (no longer in Guichet)
    edition = _edition_asked(request, editions)
    frozen = edition is not None and edition != latest
    if edition is not None:
        entry = obs.entry_public(pk, edition=edition)
    quality = obs.entry_quality(entry)
    months = obs.entry_months(entry)
    context = {
        "entry": entry,
        "quality": quality,
        "verdicts": obs.entry_verdicts(entry, quality, frozen=frozen),
        "yearly_volume": obs.entry_yearly_volume(entry, quality, frozen=frozen),
        **_editions_context(editions, edition, latest=latest),
        "months": months,
        "charts": months_charts(months),
        "years": obs.entry_years(months),
        "can_edit": entry.organisation_id in obs.steering_organisation_ids(request.user),
        "can_record_volumes": obs.entries_with_volumes_recorded_by(request.user).filter(pk=entry.pk).exists(),
    }
    return render(request, "observatoire/entry_detail.html", context)


@reads_from_replica
def programme(request):
    organisation = request.GET.get("organisation", "").strip()[:80]
    entries = obs.programme_entries(organisation_slug=organisation)
    targets = [
        summary for summary in obs.barometer() if summary.indicator.computation == Computation.PROGRAMME_ONLINE_SHARE
    ]
    context = {
        "entries": entries,
        "figures": obs.programme_figures(entries),
        "targets": targets,
        "organisation": organisation,
        "organisations": _organisations_with_entries(),
        "is_steering": _is_steering(request),
    }
    return render(request, "observatoire/programme.html", context)


@reads_from_replica
def barometer(request):
    # Each indicator with its chart (None without dated values).
    summaries = [(summary, barometer_chart(summary)) for summary in obs.barometer()]
    return render(
        request, "observatoire/barometer.html", {"summaries": summaries, "is_steering": _is_steering(request)}
    )
