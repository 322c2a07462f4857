"""The panorama's figures and editions: drifts and headline figures read in the edition chosen,
a project added or withdrawn between editions, and a published edition that never changes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guichet.core.models import AppendOnlyError, AuditAction, AuditEvent
from guichet.observatory.models import (
    FrozenEditionError,
    PanoramaEdition,
    Phase,
    ProgrammeEntry,
    ProjectPhase,
    ProjectRecord,
)
from guichet.observatory.panorama import selectors as pano
from guichet.observatory.panorama.services import (
    digital_project_update,
    panorama_edition_create,
    panorama_edition_publish,
    panorama_edition_update,
)
from guichet.procedures.services import procedure_create, procedure_publish
from tests.factories import SIMPLE_DEFINITION, OrganisationFactory, UserFactory

from .panorama_fixtures import SECOND_DAY, project, two_editions

pytestmark = pytest.mark.django_db


def _by_name(lines):
    return {line.record.name: line for line in lines}


def test_each_edition_reads_its_own_figures(organisation):
    world = two_editions(organisation)
    first = _by_name(pano.edition_lines(world["first"]))
    second = _by_name(pano.edition_lines(world["second"]))

    assert set(first) == {"Alpha", "Beta"}
    assert set(second) == {"Alpha", "Gamma"}  # Beta withdrawn, Gamma added
    # Alpha as published in February, then in July: the first edition is not overwritten.
    assert first["Alpha"].record.cost_current_meur == Decimal("12")
    assert first["Alpha"].budget_drift == Decimal("0.2")
    assert first["Alpha"].schedule_drift == Decimal("0.25")
    assert second["Alpha"].record.cost_current_meur == Decimal("15")
    assert second["Alpha"].budget_drift == Decimal("0.5")
    assert second["Alpha"].schedule_drift == Decimal("0.5")
    # Since its first and its previous edition: (15 − 12) / 12 and (6 − 5) / 5.
    assert second["Alpha"].cost_since_first == Decimal("0.25")
    assert second["Alpha"].cost_since_previous == Decimal("0.25")
    assert second["Alpha"].duration_since_previous == Decimal("0.2")
    assert not second["Alpha"].is_new
    # Gamma is new: nothing to compare with before, its first edition is this one.
    assert second["Gamma"].is_new and second["Gamma"].cost_since_previous is None
    assert second["Gamma"].cost_since_first == 0
    assert [record.name for record in pano.projects_left(world["second"])] == ["Beta"]


def test_headline_figures_per_edition(organisation):
    world = two_editions(organisation)
    first = pano.edition_headline(world["first"])
    second = pano.edition_headline(world["second"])

    assert (first.count, first.interministerial, first.local_authorities) == (2, 1, 1)
    assert first.total_cost_meur == Decimal("30")
    assert first.mean_duration_years == Decimal("3.5")
    assert first.mean_schedule_drift == Decimal("0.125")  # (0.25 + 0) / 2
    assert first.mean_budget_drift == Decimal("0.05")  # (0.2 − 0.1) / 2

    assert (second.count, second.interministerial, second.local_authorities) == (2, 1, 1)
    assert second.total_cost_meur == Decimal("21")
    assert second.mean_duration_years == Decimal("4.5")
    assert second.mean_schedule_drift == Decimal("0.25")  # (0.5 + 0) / 2
    assert second.mean_budget_drift == Decimal("0.35")  # (0.5 + 0.2) / 2
    assert dict(second.by_phase) == {"Conception / Réalisation": 2}

    evolution = pano.editions_evolution(world["second"])
    assert [figures.edition.pk for figures in evolution] == [world["first"].pk, world["second"].pk]


def test_a_draft_shows_the_values_publishing_would_freeze(organisation):
    world = two_editions(organisation)
    digital_project_update(actor=None, project=world["alpha"], cost_current_meur=Decimal("20"))
    draft = panorama_edition_create(
        actor=None, organisation=organisation, title="Brouillon", published_on=SECOND_DAY + datetime.timedelta(days=1)
    )
    lines = _by_name(pano.edition_lines(draft))
    assert lines["Alpha"].record.cost_current_meur == Decimal("20")
    assert lines["Alpha"].cost_since_previous == Decimal(5) / Decimal(15)
    assert pano.edition_public(draft.pk) is None  # the public never sees a draft
    assert pano.edition_public(None) == world["second"]


def test_a_published_edition_cannot_be_changed(organisation):
    world = two_editions(organisation)
    second = world["second"]
    record = second.records.get(name="Alpha")

    with pytest.raises(FrozenEditionError):
        panorama_edition_publish(actor=None, edition=second)
    with pytest.raises(FrozenEditionError):
        panorama_edition_update(actor=None, edition=second, title="Autre", published_on=SECOND_DAY)
    record.cost_current_meur = Decimal("99")
    with pytest.raises(FrozenEditionError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ProjectRecord.objects.filter(pk=record.pk).update(cost_current_meur=Decimal("99"))
    with pytest.raises(AppendOnlyError):
        second.records.all().delete()
    second.title = "Autre titre"
    with pytest.raises(FrozenEditionError):
        second.save()
    with pytest.raises(FrozenEditionError):
        PanoramaEdition.objects.get(pk=second.pk).delete()
    # Changing the project afterwards leaves the edition as it was published.
    digital_project_update(actor=None, project=world["alpha"], cost_current_meur=Decimal("40"))
    assert ProjectRecord.objects.get(pk=record.pk).cost_current_meur == Decimal("15")
    assert pano.edition_headline(second).total_cost_meur == Decimal("21")


def test_publishing_is_audited_and_needs_projects(organisation, steering):
    edition = panorama_edition_create(
        actor=steering, organisation=organisation, title="Vide", published_on=datetime.date(2026, 2, 28)
    )
    with pytest.raises(ValidationError):
        panorama_edition_publish(actor=steering, edition=edition)
    project(organisation, "Alpha")
    panorama_edition_publish(actor=steering, edition=edition)
    edition.refresh_from_db()
    assert edition.is_published and edition.published_by == steering
    event = AuditEvent.objects.get(action=AuditAction.PANORAMA_EDITION_PUBLISH)
    assert event.actor == steering and len(event.details["projects"]) == 1


def test_only_the_steering_team_edits(organisation, steering):
    alpha = project(organisation, "Alpha")
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        digital_project_update(actor=outsider, project=alpha, name="Autre")
    with pytest.raises(PermissionDenied):
        panorama_edition_create(
            actor=steering, organisation=OrganisationFactory(), title="x", published_on=datetime.date(2026, 1, 1)
        )
    digital_project_update(actor=steering, project=alpha, cost_current_meur=Decimal("3"))
    event = AuditEvent.objects.filter(action=AuditAction.PANORAMA_PROJECT_UPDATE).latest("pk")
    assert event.actor == steering and event.details["changes"]["cost_current_meur"] == [None, "3"]


def test_publishing_a_procedure_leaves_the_project_it_serves_as_it_is(organisation):
    """A project is not a procedure: publishing the procedure it serves makes the procedure's
    programme row « en ligne » and does not touch the project's phase, nor its editions."""
    procedure = procedure_create(
        actor=None, organisation=organisation, title="Copie d’acte de naissance", slug="acte",
        definition=SIMPLE_DEFINITION,
    )  # fmt: skip
    served = project(organisation, "Comedec", phase=ProjectPhase.ROLLOUT)
    digital_project_update(actor=None, project=served, procedures=[procedure])
    procedure_publish(actor=None, procedure=procedure)
    served.refresh_from_db()
    assert served.phase == ProjectPhase.ROLLOUT
    assert ProgrammeEntry.objects.get(procedure=procedure).phase == Phase.ONLINE
    assert list(served.procedures.all()) == [procedure]
    assert AuditEvent.objects.filter(action=AuditAction.PANORAMA_PROJECT_UPDATE).get().details["changes"] == {
        "procedures": [[], ["acte"]]
    }


def test_an_edition_cannot_be_slipped_before_the_last_published(organisation):
    world = two_editions(organisation)
    with pytest.raises(ValidationError) as refused:
        panorama_edition_create(
            actor=None, organisation=organisation, title="Rattrapage", published_on=datetime.date(2026, 5, 1)
        )
    assert "Édition de juillet 2026" in str(refused.value)
    later = panorama_edition_create(
        actor=None, organisation=organisation, title="Hiver", published_on=datetime.date(2027, 2, 28)
    )
    with pytest.raises(ValidationError):
        panorama_edition_update(actor=None, edition=later, title="Hiver", published_on=SECOND_DAY)
    # The first edition's comparisons stay as published.
    assert pano.previous_edition(world["second"]) == world["first"]
