"""The panorama's public pages: an edition (the latest, or the one asked for with `?edition=`) with
its headline figures, its projects and their drifts, charts with their data tables, how the
panorama moved across editions; a project's page with its values edition by edition; and the open
data of each edition. Published editions only, read from their frozen records; no script needed."""

from django.http import Http404
from django.shortcuts import render

from guichet.core.replicas import reads_from_replica
from guichet.observatory.panorama import columns
from guichet.observatory.panorama import selectors as pano
from guichet.observatory.panorama.figures import headline
from guichet.www.templatetags.observatoire import drift_percent, meuros

from .bars import bar_chart
from .downloads import _download
from .pages import _is_steering

ALL_EDITIONS = "toutes"


def _edition(request):
    """The published edition asked for in `?edition=` (the latest by default), or 404."""
    asked = request.GET.get("edition", "").strip()[:12] or None
    edition = pano.edition_public(asked)
    if asked is not None and edition is None:
        raise Http404("Cette édition du panorama n’existe pas ou n’est pas publiée.")
    return edition


def edition_context(edition) -> dict:
    """What an edition's page shows, for the public page and the steering team's preview."""
    lines = pano.edition_lines(edition)
    evolution = pano.editions_evolution(edition)
    return {
        "edition": edition,
        "headline": headline(lines),
        "lines": lines,
        "left": pano.projects_left(edition),
        "previous": pano.previous_edition(edition),
        "evolution": evolution,
        "cost_chart": bar_chart(
            "Coût estimé actuel par projet",
            [
                (line.record.name, float(line.record.cost_current_meur or 0), meuros(line.record.cost_current_meur))
                for line in lines
            ],
        ),  # fmt: skip
        "drift_chart": bar_chart(
            "Dérive budgétaire par projet",
            [(line.record.name, line.budget_drift, drift_percent(line.budget_drift)) for line in lines],
        ),
        "schedule_chart": bar_chart(
            "Dérive calendaire par projet",
            [(line.record.name, line.schedule_drift, drift_percent(line.schedule_drift)) for line in lines],
        ),
        "evolution_cost_chart": bar_chart(
            "Coût total estimé, édition par édition",
            [
                (each.edition.title, float(each.headline.total_cost_meur), meuros(each.headline.total_cost_meur))
                for each in evolution
            ],
        ),  # fmt: skip
        "evolution_drift_chart": bar_chart(
            "Dérive budgétaire moyenne, édition par édition",
            [
                (each.edition.title, each.headline.mean_budget_drift, drift_percent(each.headline.mean_budget_drift))
                for each in evolution
            ],
        ),  # fmt: skip
    }


@reads_from_replica
def panorama(request):
    edition = _edition(request)
    context = {
        "editions": list(pano.published_editions()),
        "is_steering": _is_steering(request),
        "edition": edition,
    }
    if edition is not None:
        context.update(edition_context(edition))
        context["edition_query"] = f"?edition={edition.pk}"
    return render(request, "observatoire/panorama/edition.html", context)


@reads_from_replica
def project_detail(request, pk: int):
    project = pano.project_public(pk)
    if project is None:
        raise Http404("Ce projet n’a été publié dans aucune édition du panorama.")
    history = pano.project_history(project)
    asked = request.GET.get("edition", "").strip()
    record = next((each for each in history if str(each.edition_id) == asked), None) if asked else history[-1]
    if record is None:
        raise Http404("Ce projet n’est pas dans cette édition du panorama.")
    lines = {line.record.pk: line for line in pano.edition_lines(record.edition)}
    context = {
        "project": project,
        "record": record,
        "line": lines[record.pk],
        "history": history,
        "history_chart": bar_chart(
            "Coût estimé du projet, édition par édition",
            [
                (each.edition.title, float(each.cost_current_meur or 0), meuros(each.cost_current_meur))
                for each in history
            ],
        ),  # fmt: skip
        "is_steering": _is_steering(request),
    }
    return render(request, "observatoire/panorama/project.html", context)


@reads_from_replica
def panorama_download(request, fmt: str):
    """One edition's rows (the latest by default), or every edition's (`?edition=toutes`)."""
    if request.GET.get("edition") == ALL_EDITIONS:
        lines = [line for edition in pano.published_editions() for line in pano.edition_lines(edition)]
        return _download(columns.PANORAMA, lines, fmt=fmt, filename="panorama-toutes-editions")
    edition = _edition(request)
    if edition is None:
        raise Http404("Aucune édition du panorama n’est encore publiée.")
    lines = pano.edition_lines(edition)
    return _download(columns.PANORAMA, lines, fmt=fmt, filename=f"panorama-{edition.published_on.isoformat()}")


@reads_from_replica
def panorama_editions_download(request, fmt: str):
    return _download(
        columns.PANORAMA_EDITIONS, pano.every_edition_figures(), fmt=fmt, filename="panorama-chiffres-cles"
    )
