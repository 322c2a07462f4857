"""The router's choices (decision 0055): the primary by default and for every write; a replica only
inside an explicit replica block, and even there the primary in a transaction, after a write, for
a pinned person, and when the replica lags or cannot be reached."""

import logging

import pytest
from django.db import connections, router, transaction
from django.db.utils import OperationalError
from django.http import HttpResponse

from guichet.core import replica_health
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.prepared_writes import row_update
from guichet.core.replica_health import ReplicaStatus, replica_status
from guichet.core.replicas import on_replica, reads_from_replica, replica_reads, request_writes
from guichet.dossiers.models import Dossier
from guichet.procedures.models import Procedure
from tests.core.replicas import BOTH, REPLICA, replica_unreachable
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db(databases=BOTH)


def test_without_replicas_everything_reads_the_primary():
    with replica_reads() as alias:
        assert alias == "default"
        assert router.db_for_read(Dossier) == "default"


def test_reads_go_to_the_replica_only_inside_a_replica_block(replicas_on):
    assert router.db_for_read(Dossier) == "default"
    with replica_reads() as alias:
        assert alias == REPLICA
        assert router.db_for_read(Dossier) == REPLICA
        assert Dossier.objects.all().db == REPLICA
        assert router.db_for_write(Dossier) == "default"
        assert Dossier.objects.select_for_update().db == "default"  # a read that locks, to write
    assert router.db_for_read(Dossier) == "default"
    assert router.allow_migrate(REPLICA, "dossiers") is False
    assert router.allow_migrate("default", "dossiers") is True


def test_a_service_that_reads_then_writes_reads_the_primary(replicas_on):
    with replica_reads():
        with transaction.atomic():
            assert router.db_for_read(Dossier) == "default"
            assert on_replica(Dossier.objects.all()).db == "default"
        assert router.db_for_read(Dossier) == REPLICA


def test_a_request_that_wrote_reads_the_primary_from_then_on(replicas_on):
    with request_writes(pinned=False) as writes, replica_reads():
        assert router.db_for_read(Dossier) == REPLICA
        Procedure.objects.filter(pk=0).update(title="x")  # a write of data
        assert writes.wrote
        assert router.db_for_read(Dossier) == "default"


def test_bookkeeping_writes_keep_the_replica(replicas_on):
    with request_writes(pinned=False) as writes, replica_reads():
        audit_record(actor=None, action=AuditAction.API_CALL, details={})
        assert writes.kept_books and not writes.wrote
        assert router.db_for_read(Dossier) == REPLICA


def test_a_pinned_person_reads_the_primary(replicas_on):
    with request_writes(pinned=True), replica_reads() as alias:
        assert alias == "default"
        assert router.db_for_read(Dossier) == "default"


def test_a_lagging_replica_is_left_aside_until_it_catches_up(replicas_on, settings, monkeypatch):
    settings.GUICHET_REPLICA_MAX_LAG_SECONDS = 5
    monkeypatch.setattr(replica_health, "replica_lag", lambda alias: 30.0)
    with replica_reads() as alias:
        assert alias == "default"
    assert replica_status(REPLICA) == ReplicaStatus.LAGGING
    monkeypatch.setattr(replica_health, "replica_lag", lambda alias: 0.5)
    # Remembered until the next check: no query per list to know it.
    assert replica_status(REPLICA) == ReplicaStatus.LAGGING
    settings.GUICHET_REPLICA_CHECK_SECONDS = 0
    with replica_reads() as alias:
        assert alias == REPLICA


# Transactional: a test case's replica connection is inside the test's transaction, which no closing ends.
@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_an_unreachable_replica_is_left_aside_with_a_warning(replicas_on, caplog):
    with replica_unreachable(), caplog.at_level(logging.WARNING, logger="guichet.core.replica_health"):
        with replica_reads() as alias:
            assert alias == "default"
            assert list(Dossier.objects.all()) == []  # read, from the primary, without an error
        assert replica_status(REPLICA) == ReplicaStatus.DOWN
    assert "Replica replica1 unreachable" in caplog.text
    assert replica_status(REPLICA, fresh=True) == ReplicaStatus.OK


def _primary_cancels(execute, sql, params, many, context):
    raise OperationalError("canceling statement due to statement timeout")


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_an_error_of_the_primary_is_not_hidden_by_running_the_view_again(replicas_on, rf):
    """Only the replica's own failure sends a page back to the primary: a statement the primary
    cancels (or a lost primary) is raised, not run a second time with what the view did first."""
    runs = []

    @reads_from_replica
    def page(request):
        runs.append(router.db_for_read(Dossier))
        list(Dossier.objects.all())  # read on the replica
        with connections["default"].execute_wrapper(_primary_cancels):
            Procedure.objects.filter(pk=0).update(title="x")  # the primary fails
        return HttpResponse("vu")

    with request_writes(pinned=False), pytest.raises(OperationalError):
        page(rf.get("/liste"))
    assert runs == [REPLICA]


def test_writes_with_sql_built_once_are_writes_to_the_primary(replicas_on):
    """core/prepared_writes.py asks the router as save() does: the primary, even for an object read
    on a replica, and the request's write noted (read-your-writes)."""
    dossier = DossierFactory()
    with request_writes(pinned=False) as writes, replica_reads():
        read = Dossier.objects.using("default").get(pk=dossier.pk)
        read._state.db = REPLICA  # as if read there (the tests' replica mirrors the primary)
        read.resume_page = 3
        row_update(read, ["resume_page"])
        assert writes.wrote
    assert Dossier.objects.using("default").get(pk=dossier.pk).resume_page == 3
