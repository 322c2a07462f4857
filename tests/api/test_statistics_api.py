"""A procedure's statistics through the API: counts by state, filings per month, the decisions of the
year and their median processing time; figures only."""

import pytest

from guichet.api.scopes import Scope
from tests.api.keys import bearer, service_account, service_key
from tests.factories import DossierFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


def test_the_statistics_count_each_state_and_time_the_decisions(client):
    procedure = ProcedureFactory()
    for trait in ("submitted", "accepted", "accepted", "refused"):
        DossierFactory(procedure=procedure, **{trait: True})
    DossierFactory(procedure=procedure)  # a draft: not counted
    key = service_key(service_account(procedure.organisation, [Scope.STATISTICS_READ]))

    answer = client.get(f"/api/v1/procedures/{procedure.slug}/statistics", headers=bearer(key))

    assert answer.status_code == 200, answer.content
    figures = answer.json()
    assert figures["by_state"]["submitted"] == 1 and figures["by_state"]["accepted"] == 2
    assert figures["by_state"]["refused"] == 1 and "draft" not in figures["by_state"]
    assert sum(month["filed"] for month in figures["filed_by_month"]) == 4
    assert figures["decided_last_year"] == 3
    assert figures["accepted_share"] == pytest.approx(2 / 3, abs=1e-3)
    assert figures["median_processing_days"] is not None and figures["median_processing_days"] >= 0
    assert "Une demande" not in answer.content.decode()  # no answer, no person
