"""The router against a real PostgreSQL streaming replica (decision 0055): a primary and a replica
made by `pg_basebackup -R` (tests/core/postgresql_replication.py). An instructor's list is read on
the replica; with the replica's replay paused, a dossier filed on the primary is missing there (the
delay the lists tolerate) until the replica is later than allowed, when the list falls back to the
primary; whoever just wrote reads the primary at once; once replay resumes, the replica catches up."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import ProgrammingError, connections
from django.urls import reverse
from psycopg.errors import UndefinedTable

from guichet.core.read_your_writes import PIN_COOKIE
from guichet.core.replica_health import ReplicaStatus, replica_lag, replica_status, replica_statuses_forget
from guichet.dossiers.models import Dossier
from guichet.instruction.exports import ExportFormat, export_columns_available, export_columns_chosen
from guichet.instruction.exports.jobs import export_job_create, export_job_run
from guichet.instruction.lists import ListFilters, Tab
from tests.core.postgresql_replication import (
    django_databases_at,
    schema_created,
    server_binaries_missing,
    streaming_pair_started,
    wait_until,
)
from tests.core.replicas import Queries, queries
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(server_binaries_missing()), reason=server_binaries_missing() or "-"),
]

LIST = reverse("agent:dossier_list", args=["aide-permis"])


def _on_replica(dossier: Dossier) -> bool:
    """The dossier is on the replica as it was filed: its draft is written by a transaction before
    the filing's, which the replica may not have replayed yet (no group: in no instructor's list),
    nor even the tables made just before (then the table is missing there)."""
    try:
        return (
            Dossier.objects.using("replica1")
            .filter(pk=dossier.pk, state=dossier.state, group_id=dossier.group_id)
            .exists()
        )
    except ProgrammingError as error:
        if isinstance(error.__cause__, UndefinedTable):
            return False
        raise


def _replica(sql: str) -> None:
    with connections["replica1"].cursor() as cursor:
        cursor.execute(sql)


@contextmanager
def _world(settings, django_db_blocker) -> Iterator[tuple]:
    """A throwaway primary and its streaming replica as the test's databases, with a procedure, its
    instructor and a first dossier the replica has received: (procedure, instructor, dossier)."""
    settings.GUICHET_REPLICA_ALIASES = ["replica1"]
    settings.GUICHET_REPLICA_CHECK_SECONDS = 0  # measured at every read: the tests move fast
    settings.GUICHET_REPLICA_MAX_LAG_SECONDS = 3600
    replica_statuses_forget()
    with (
        streaming_pair_started() as pair,
        django_db_blocker.unblock(),
        django_databases_at(pair.primary_url, pair.replica_url),
    ):
        schema_created()
        procedure = ProcedureFactory(title="Aide au permis de conduire", slug="aide-permis")
        alice = instructor_of(procedure)
        first = DossierFactory(procedure=procedure, submitted=True)
        assert wait_until(lambda: _on_replica(first)), "the replica never received the first dossier"
        yield procedure, alice, first


def test_lists_read_a_real_streaming_replica_and_fall_back_when_it_lags(client, settings, django_db_blocker):
    with _world(settings, django_db_blocker) as (procedure, alice, first):
        client.force_login(alice)

        # In step: the list is read on the replica.
        with queries() as seen:
            page = client.get(LIST).content.decode()
        assert first.number in page
        assert seen.on_replica(Dossier._meta.db_table) and not seen.on_primary(Dossier._meta.db_table)

        # Replay paused: a dossier filed now is on the primary only.
        _replica("SELECT pg_wal_replay_pause()")
        second = DossierFactory(procedure=procedure, submitted=True)
        assert Dossier.objects.filter(pk=second.pk).exists() and not _on_replica(second)
        time.sleep(1.2)
        assert replica_lag("replica1") > 1
        # Within the delay allowed, the list is the replica's: the new dossier is not there yet.
        assert replica_status("replica1") == ReplicaStatus.OK
        page = client.get(LIST).content.decode()
        assert first.number in page and second.number not in page

        # Whoever wrote reads the primary: following the new dossier shows it in « Suivis » at once.
        followed = client.post(reverse("agent:dossier_follow", args=[second.pk]))
        assert PIN_COOKIE in followed.cookies
        with queries() as seen:
            page = client.get(LIST + "?onglet=suivis").content.decode()
        assert second.number in page and seen.replica == []
        del client.cookies[PIN_COOKIE]

        # Later than allowed: the router leaves the replica aside, the list shows every dossier.
        settings.GUICHET_REPLICA_MAX_LAG_SECONDS = 1
        with queries() as seen:
            page = client.get(LIST).content.decode()
        assert replica_status("replica1") == ReplicaStatus.LAGGING
        assert first.number in page and second.number in page and seen.on_primary(Dossier._meta.db_table)

        # Replay resumed: the replica catches up, and the lists go back to it.
        _replica("SELECT pg_wal_replay_resume()")
        assert wait_until(lambda: _on_replica(second)), "the replica never caught up"
        # Replay may still be going through the WAL that followed (the lag counted from the last
        # transaction replayed, on the safe side): in step within a few seconds.
        assert wait_until(lambda: replica_lag("replica1") <= 1), "the replica stayed behind"
        with queries() as seen:
            page = client.get(LIST).content.decode()
        assert second.number in page and seen.on_replica(Dossier._meta.db_table)
    replica_statuses_forget()


def test_a_workers_export_asked_after_a_write_holds_that_write(settings, django_db_blocker, private_disk):
    """An export job runs at once, outside its author's request (no pinning there): it reads a
    replica only once that replica replayed what the primary had when the job ran, else the primary.
    A replica within the lag allowed but behind the dossier filed just before would leave it out."""
    with _world(settings, django_db_blocker) as (procedure, alice, first):
        columns = export_columns_chosen(
            procedure=procedure, ids=[c.id for c in export_columns_available(procedure=procedure) if c.field is None]
        )

        def exported() -> tuple[str, Queries]:
            # The worker's task runs once the job is committed (at once in the tests).
            with queries() as seen:
                job = export_job_create(
                    actor=alice,
                    procedure=procedure,
                    export_format=ExportFormat.CSV,
                    filters=ListFilters(tab=Tab.ALL),
                    columns=columns,
                )
            done = export_job_run(job_id=job.pk)
            return done.file.read().decode("utf-8-sig"), seen

        # Replay paused: the dossier filed now is on the primary only, and the export holds it.
        _replica("SELECT pg_wal_replay_pause()")
        second = DossierFactory(procedure=procedure, submitted=True)
        assert replica_status("replica1") == ReplicaStatus.OK  # within the delay the lists tolerate
        content, seen = exported()
        assert first.number in content and second.number in content
        assert seen.on_primary(f'FROM "{Dossier._meta.db_table}"')

        # Replay resumed: the replica holds everything, the export is read there.
        _replica("SELECT pg_wal_replay_resume()")
        assert wait_until(lambda: _on_replica(second)), "the replica never caught up"
        content, seen = exported()
        assert first.number in content and second.number in content
        assert seen.on_replica(Dossier._meta.db_table) and not seen.on_primary(f'FROM "{Dossier._meta.db_table}"')
    replica_statuses_forget()
