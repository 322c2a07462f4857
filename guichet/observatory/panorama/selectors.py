"""Reads of the panorama. The public reads published editions only, each project through its
frozen record; the steering team reads the projects and editions of the organisations it steers."""

from dataclasses import dataclass

from django.db.models import QuerySet

from guichet.accounts.models import User

from ..models import VALUE_FIELDS, DigitalProject, PanoramaEdition, ProjectRecord
from ..selectors import organisation_subtree_ids, steering_organisation_ids
from .figures import Headline, ProjectLine, headline, project_lines

# --- The public's reads ---------------------------------------------------------------------


def published_editions() -> QuerySet[PanoramaEdition]:
    """Every published edition, the latest first."""
    return PanoramaEdition.objects.filter(status=PanoramaEdition.Status.PUBLISHED).select_related("organisation")


def edition_public(pk: int | str | None) -> PanoramaEdition | None:
    """The published edition asked for; the latest when `pk` is None; None when there is none."""
    editions = published_editions()
    if pk is None:
        return editions.first()
    return editions.filter(pk=pk).first() if str(pk).isdigit() else None


def _series(edition: PanoramaEdition) -> QuerySet[PanoramaEdition]:
    """The published editions of the same panorama (same organisation) up to this one."""
    return published_editions().filter(organisation_id=edition.organisation_id, published_on__lte=edition.published_on)


def previous_edition(edition: PanoramaEdition) -> PanoramaEdition | None:
    return _series(edition).filter(published_on__lt=edition.published_on).first()


def _records(edition: PanoramaEdition) -> list[ProjectRecord]:
    if edition.is_published:
        return list(edition.records.select_related("edition"))
    return draft_records(edition)


def edition_lines(edition: PanoramaEdition) -> list[ProjectLine]:
    """The edition's projects with their drifts, compared with their first and previous editions
    (a draft shows the projects' values of the moment, as publishing would freeze them)."""
    records = _records(edition)
    ids = [record.project_id for record in records]
    earlier = (
        ProjectRecord.objects.filter(project_id__in=ids, edition__in=_series(edition))
        .exclude(edition=edition)
        .select_related("edition")
        .order_by("edition__published_on")
    )
    previous = previous_edition(edition)
    first: dict[int, ProjectRecord] = {}
    before: dict[int, ProjectRecord] = {}
    for record in earlier:
        first.setdefault(record.project_id, record)
        if previous is not None and record.edition_id == previous.pk:
            before[record.project_id] = record
    return project_lines(records, first=first, previous=before)


def edition_headline(edition: PanoramaEdition) -> Headline:
    return headline(edition_lines(edition))


def projects_left(edition: PanoramaEdition) -> list[ProjectRecord]:
    """The projects of the previous edition that this one no longer lists."""
    previous = previous_edition(edition)
    if previous is None:
        return []
    kept = {record.project_id for record in _records(edition)}
    return [record for record in previous.records.select_related("edition") if record.project_id not in kept]


@dataclass(frozen=True)
class EditionFigures:
    edition: PanoramaEdition
    headline: Headline


def editions_evolution(edition: PanoramaEdition) -> list[EditionFigures]:
    """The headline figures of each published edition of the same panorama up to this one, oldest
    first: how the panorama moved."""
    series = list(_series(edition).order_by("published_on"))
    if not edition.is_published:
        series.append(edition)
    return [EditionFigures(edition=each, headline=edition_headline(each)) for each in series]


def every_edition_figures() -> list[EditionFigures]:
    """The headline figures of every published edition, the latest first (the open data)."""
    return [EditionFigures(edition=edition, headline=edition_headline(edition)) for edition in published_editions()]


def project_public(pk: int) -> DigitalProject | None:
    """A project that has been published in at least one edition."""
    return DigitalProject.objects.filter(pk=pk, records__edition__status=PanoramaEdition.Status.PUBLISHED).first()


def project_history(project: DigitalProject) -> list[ProjectRecord]:
    """The project's records in the published editions, oldest first."""
    return list(
        project.records.filter(edition__status=PanoramaEdition.Status.PUBLISHED)
        .select_related("edition", "edition__organisation")
        .order_by("edition__published_on", "edition__pk")
    )


# --- The steering team's reads --------------------------------------------------------------


def projects_editable_by(user: User) -> QuerySet[DigitalProject]:
    return DigitalProject.objects.filter(organisation_id__in=steering_organisation_ids(user)).select_related(
        "organisation"
    )


def editions_editable_by(user: User) -> QuerySet[PanoramaEdition]:
    return PanoramaEdition.objects.filter(organisation_id__in=steering_organisation_ids(user)).select_related(
        "organisation"
    )


def projects_of_edition(edition: PanoramaEdition) -> QuerySet[DigitalProject]:
    """The projects an edition publishes: listed, kept by its organisation or one below it."""
    subtree = organisation_subtree_ids({edition.organisation_id})
    return (
        DigitalProject.objects.filter(organisation_id__in=subtree, listed=True)
        .prefetch_related("procedures")
        .order_by("ministry_code", "name", "pk")
    )


def draft_records(edition: PanoramaEdition) -> list[ProjectRecord]:
    """The records that publishing the edition now would write (not saved)."""
    return [
        ProjectRecord(
            edition=edition,
            project=project,
            procedure_slugs=sorted(procedure.slug for procedure in project.procedures.all()),
            **{name: getattr(project, name) for name in VALUE_FIELDS},
        )
        for project in projects_of_edition(edition)
    ]
