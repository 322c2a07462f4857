"""No way around a published edition: not through the models, nor their querysets (update,
delete, bulk writes), nor by slipping records into it after publication."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.core.models import AppendOnlyError
from guichet.observatory.models import FrozenEditionError, PanoramaEdition, ProjectRecord
from guichet.observatory.panorama import selectors as pano
from guichet.observatory.panorama.services import (
    digital_project_create,
    panorama_edition_create,
    panorama_edition_publish,
    panorama_edition_update,
)

from .panorama_fixtures import two_editions

pytestmark = pytest.mark.django_db


def test_a_published_edition_cannot_be_changed_through_a_queryset(organisation):
    world = two_editions(organisation)
    second = world["second"]
    with pytest.raises(FrozenEditionError):
        PanoramaEdition.objects.filter(pk=second.pk).update(title="Autre titre")
    with pytest.raises(FrozenEditionError):
        PanoramaEdition.objects.filter(pk=second.pk).update(status=PanoramaEdition.Status.DRAFT)
    with pytest.raises(FrozenEditionError):
        organisation.panorama_editions.update(published_on=datetime.date(2030, 1, 1))
    second.title = "Autre titre"
    with pytest.raises(FrozenEditionError), transaction.atomic():  # bulk_update's own block is broken
        PanoramaEdition.objects.bulk_update([second], ["title"])
    with pytest.raises(FrozenEditionError):
        PanoramaEdition.objects.filter(pk=second.pk).delete()
    second.refresh_from_db()
    assert (second.title, second.is_published) == ("Édition de juillet 2026", True)


def test_a_draft_edition_still_changes_through_a_queryset(organisation):
    draft = PanoramaEdition.objects.create(organisation=organisation, title="Brouillon", published_on="2027-02-28")
    PanoramaEdition.objects.filter(pk=draft.pk).update(title="Édition de février 2027")
    draft.refresh_from_db()
    assert draft.title == "Édition de février 2027"


def test_no_record_can_be_slipped_into_a_published_edition(organisation):
    world = two_editions(organisation)
    first = world["first"]
    gamma = world["second"].records.get(name="Gamma")
    values = {name: getattr(gamma, name) for name in ("ministry_code", "ministry_name", "name", "phase")}
    slipped = ProjectRecord(
        edition=first, project=world["gamma"], inclusion_criterion=gamma.inclusion_criterion, **values
    )
    with pytest.raises(FrozenEditionError):
        ProjectRecord.objects.bulk_create([slipped])
    with pytest.raises(FrozenEditionError):
        ProjectRecord.objects.create(
            edition=first, project=world["gamma"], inclusion_criterion=gamma.inclusion_criterion, **values
        )
    record = first.records.get(name="Alpha")
    record.cost_current_meur = Decimal("99")
    with pytest.raises(AppendOnlyError), transaction.atomic():
        ProjectRecord.objects.bulk_update([record], ["cost_current_meur"])
    assert sorted(line.record.name for line in pano.edition_lines(first)) == ["Alpha", "Beta"]


def test_an_edition_is_not_published_before_its_date(organisation, steering):
    """Published today under a date to come, an edition would say « publiée le » a day that has not
    come, and every later edition would have to wait for it."""
    project_values = {
        "ministry_code": "MC",
        "ministry_name": "Culture",
        "phase": "build",
        "inclusion_criterion": "cost",
    }
    digital_project_create(actor=steering, organisation=organisation, name="Alpha", **project_values)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    edition = panorama_edition_create(actor=steering, organisation=organisation, title="Demain", published_on=tomorrow)
    with pytest.raises(ValidationError) as refused:
        panorama_edition_publish(actor=steering, edition=edition)
    assert "à venir" in str(refused.value)
    edition.refresh_from_db()
    assert not edition.is_published and not edition.records.exists()
    panorama_edition_update(actor=steering, edition=edition, title="Aujourd’hui", published_on=timezone.localdate())
    assert panorama_edition_publish(actor=steering, edition=edition).is_published


def test_an_edition_is_born_a_draft(organisation):
    """Published only through the service, which freezes the projects' values: an edition written
    straight as published would have no records and would change what the next one compares with."""
    values = {"organisation": organisation, "title": "Raccourci", "published_on": datetime.date(2026, 3, 1)}
    published = {"status": PanoramaEdition.Status.PUBLISHED, "published_at": timezone.now()}
    with pytest.raises(FrozenEditionError):
        PanoramaEdition.objects.create(**values, **published)
    with pytest.raises(FrozenEditionError):
        PanoramaEdition.objects.bulk_create([PanoramaEdition(**values, **published)])
    assert not PanoramaEdition.objects.exists()
