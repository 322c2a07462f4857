"""Two published editions of a small panorama: « Alpha » in both (its forecasts slip), « Beta »
only in the first (withdrawn), « Gamma » only in the second (added)."""

import datetime
from decimal import Decimal

from guichet.observatory.models import InclusionCriterion, ProjectPhase
from guichet.observatory.panorama.services import (
    digital_project_create,
    digital_project_update,
    panorama_edition_create,
    panorama_edition_publish,
)

FIRST_DAY = datetime.date(2026, 2, 28)
SECOND_DAY = datetime.date(2026, 7, 31)


def project(organisation, name: str, **values):
    base = {
        "ministry_code": "MEF",
        "ministry_name": "Ministère de l’Économie et des Finances",
        "phase": ProjectPhase.BUILD,
        "inclusion_criterion": InclusionCriterion.COST,
    }
    return digital_project_create(actor=None, organisation=organisation, name=name, **{**base, **values})


def two_editions(organisation) -> dict:
    alpha = project(
        organisation, "Alpha", interministerial=True,
        duration_initial_years=Decimal("4"), duration_current_years=Decimal("5"),
        cost_initial_meur=Decimal("10"), cost_current_meur=Decimal("12"),
    )  # fmt: skip
    beta = project(
        organisation, "Beta", local_authorities=True,
        duration_initial_years=Decimal("2"), duration_current_years=Decimal("2"),
        cost_initial_meur=Decimal("20"), cost_current_meur=Decimal("18"),
    )  # fmt: skip
    first = panorama_edition_create(
        actor=None, organisation=organisation, title="Édition de février 2026", published_on=FIRST_DAY
    )
    panorama_edition_publish(actor=None, edition=first)
    digital_project_update(
        actor=None, project=alpha, cost_current_meur=Decimal("15"), duration_current_years=Decimal("6")
    )
    digital_project_update(actor=None, project=beta, listed=False)
    gamma = project(
        organisation, "Gamma", ministry_code="MI", ministry_name="Ministère de l’Intérieur", local_authorities=True,
        duration_initial_years=Decimal("3"), duration_current_years=Decimal("3"),
        cost_initial_meur=Decimal("5"), cost_current_meur=Decimal("6"),
    )  # fmt: skip
    second = panorama_edition_create(
        actor=None, organisation=organisation, title="Édition de juillet 2026", published_on=SECOND_DAY
    )
    panorama_edition_publish(actor=None, edition=second)
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "first": first, "second": second}
