"""The quality rows computed before the editions become the edition of their quarter, with the
declared values of their entry, so that an upgraded platform keeps what it published."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from guichet.observatory.models import ProcedureQuality
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE, AFTER = [("observatory", "0002_page_probes")], [("observatory", "0003_quality_editions")]


def test_rows_of_before_become_the_edition_of_their_quarter(organisation):
    procedure = ProcedureFactory(organisation=organisation)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[0]).apps
    entry = old.get_model("observatory", "ProgrammeEntry").objects.create(
        organisation_id=organisation.pk, title=procedure.title, procedure_id=procedure.pk, phase="online",
        rgaa_rate=Decimal("80"), dlnuf_count=3,
    )  # fmt: skip
    computed = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)  # 1 July in Paris
    old.get_model("observatory", "ProcedureQuality").objects.create(entry_id=entry.pk, computed_at=computed)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    # Read with the fields of that migration only (later ones add columns).
    quality = ProcedureQuality.objects.only("edition", "online_status", "rgaa_rate", "dlnuf_count").get(
        entry_id=entry.pk
    )
    assert quality.edition == "2026-T3"
    assert (quality.online_status, quality.rgaa_rate, quality.dlnuf_count) == ("yes", Decimal("80"), 3)

    # Back to the latest schema, that the next tests of this process expect.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
