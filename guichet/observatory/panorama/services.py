"""Writes of the panorama: its projects, its editions and their publication. Each is atomic and
records one audit event naming who acted; the steering team acts on its own organisations only
(`actor=None` is the platform itself, as in the demo). A published edition never changes."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import Organisation, User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.procedures.models import Procedure

from ..models import VALUE_FIELDS, DigitalProject, FrozenEditionError, PanoramaEdition, ProjectRecord
from ..selectors import steering_organisation_ids
from .selectors import draft_records

PROJECT_FIELDS = (*VALUE_FIELDS, "organisation", "listed")


def check_steering(actor: User | None, organisation_id: int) -> None:
    if actor is not None and organisation_id not in steering_organisation_ids(actor):
        raise PermissionDenied("Seule l’équipe de pilotage de cette organisation peut modifier le panorama.")


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime.date | int | float | bool) or value is None:
        return value
    return str(value)


def _same(before: Any, after: Any) -> bool:
    """Whether a value is unchanged (15 and 15.00 M€ are the same cost; a model and its id too)."""
    return (before.pk if hasattr(before, "pk") else before) == (after.pk if hasattr(after, "pk") else after)


def _set_procedures(project: DigitalProject, procedures: Iterable[Procedure] | None) -> list[str] | None:
    if procedures is None:
        return None
    project.procedures.set(procedures)
    return sorted(procedure.slug for procedure in project.procedures.all())


@transaction.atomic
def digital_project_create(
    *,
    actor: User | None,
    organisation: Organisation,
    procedures: Iterable[Procedure] | None = None,
    **values: Any,
) -> DigitalProject:
    """Add a project to the panorama; it shows from the next edition published."""
    unknown = set(values) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    check_steering(actor, organisation.pk)
    project = DigitalProject(organisation=organisation, **values)
    project.full_clean()
    project.save()
    slugs = _set_procedures(project, procedures)
    audit_record(
        actor=actor,
        action=AuditAction.PANORAMA_PROJECT_CREATE,
        target=project,
        details={"name": project.name, "procedures": slugs or []},
    )
    return project


@transaction.atomic
def digital_project_update(
    *,
    actor: User | None,
    project: DigitalProject,
    procedures: Iterable[Procedure] | None = None,
    **values: Any,
) -> DigitalProject:
    """Change a project's values (its forecasts, phase, links...). The editions already published
    keep what they froze; the audit event keeps each changed value before and after."""
    unknown = set(values) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    locked = DigitalProject.objects.select_for_update().get(pk=project.pk)
    check_steering(actor, locked.organisation_id)
    if "organisation" in values:
        check_steering(actor, values["organisation"].pk)
    before = {name: getattr(locked, name) for name in values}
    procedures_before = sorted(locked.procedures.values_list("slug", flat=True))
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    changes = {
        name: [_plain(before[name]), _plain(value)] for name, value in values.items() if not _same(before[name], value)
    }
    slugs = _set_procedures(locked, procedures)
    if slugs is not None and slugs != procedures_before:
        changes["procedures"] = [procedures_before, slugs]
    audit_record(actor=actor, action=AuditAction.PANORAMA_PROJECT_UPDATE, target=locked, details={"changes": changes})
    project.refresh_from_db()
    return project


@transaction.atomic
def panorama_edition_create(
    *, actor: User | None, organisation: Organisation, title: str, published_on: datetime.date
) -> PanoramaEdition:
    """Prepare an edition: a draft that shows the projects' values of the moment until it is
    published on its date."""
    check_steering(actor, organisation.pk)
    edition = PanoramaEdition(organisation=organisation, title=title, published_on=published_on)
    edition.full_clean()
    _check_after_the_last(edition)
    edition.save()
    audit_record(
        actor=actor,
        action=AuditAction.PANORAMA_EDITION_CREATE,
        target=edition,
        details={"title": title, "published_on": published_on},
    )
    return edition


def _locked_draft(edition: PanoramaEdition, actor: User | None) -> PanoramaEdition:
    locked = PanoramaEdition.objects.select_for_update().get(pk=edition.pk)
    check_steering(actor, locked.organisation_id)
    if locked.is_published:
        raise FrozenEditionError("Cette édition est publiée : elle ne peut plus être modifiée.")
    return locked


@transaction.atomic
def panorama_edition_update(
    *, actor: User | None, edition: PanoramaEdition, title: str, published_on: datetime.date
) -> PanoramaEdition:
    """Change a draft edition's title or date (a published one is frozen)."""
    locked = _locked_draft(edition, actor)
    changes = {
        name: [_plain(getattr(locked, name)), _plain(value)]
        for name, value in (("title", title), ("published_on", published_on))
        if getattr(locked, name) != value
    }
    locked.title, locked.published_on = title, published_on
    locked.full_clean()
    _check_after_the_last(locked)
    locked.save()
    audit_record(actor=actor, action=AuditAction.PANORAMA_EDITION_UPDATE, target=locked, details={"changes": changes})
    edition.refresh_from_db()
    return edition


def _check_after_the_last(edition: PanoramaEdition) -> None:
    """An edition is published after the last one of its panorama: inserted before it, it would
    change what that edition compares its projects with."""
    last = (
        PanoramaEdition.objects.filter(organisation_id=edition.organisation_id, status=PanoramaEdition.Status.PUBLISHED)
        .order_by("-published_on")
        .first()
    )
    if last is not None and edition.published_on <= last.published_on:
        raise ValidationError(
            {
                "published_on": f"La date de publication doit suivre celle de la dernière édition publiée, "
                f"« {last.title} » ({last.published_on:%d/%m/%Y})."
            }
        )


@transaction.atomic
def panorama_edition_publish(*, actor: User | None, edition: PanoramaEdition) -> PanoramaEdition:
    """Publish an edition: each listed project's values are copied into the edition's records,
    then the edition is frozen. Publishing twice, or before the edition's date, is refused."""
    locked = _locked_draft(edition, actor)
    if locked.published_on > timezone.localdate():
        raise ValidationError(
            f"La date de publication, le {locked.published_on:%d/%m/%Y}, est à venir : publiez l’édition ce "
            "jour-là, ou changez sa date."
        )
    _check_after_the_last(locked)
    records = draft_records(locked)
    if not records:
        raise ValidationError("Aucun projet n’est au panorama : il n’y a rien à publier.")
    ProjectRecord.objects.bulk_create(records)
    locked.status = PanoramaEdition.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = actor
    # The last write allowed: PanoramaEdition.save refuses any change once the row is published.
    PanoramaEdition.objects.filter(pk=locked.pk).update(
        status=locked.status, published_at=locked.published_at, published_by=actor, updated_at=locked.published_at
    )
    audit_record(
        actor=actor,
        action=AuditAction.PANORAMA_EDITION_PUBLISH,
        target=locked,
        details={"published_on": locked.published_on, "projects": [record.project_id for record in records]},
    )
    edition.refresh_from_db()
    return edition
