import io
import os
import signal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guichet.core.audit import audit_record, audit_seal, audit_seal_all
from guichet.core.audit_verification import audit_verify
from guichet.core.models import AppendOnlyError, AuditAction, AuditChainHead, AuditEvent
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    actor = UserFactory()
    organisation = OrganisationFactory()
    events = [
        audit_record(
            actor=actor if i % 2 else None,
            action=list(AuditAction)[i % len(AuditAction)],
            target=organisation,
            details={"i": i},
        )
        for i in range(5)
    ]
    assert audit_seal_all() == 5
    return list(AuditEvent.objects.filter(pk__in=[event.pk for event in events]).order_by("seq"))


def tamper(sql: str, params: list) -> None:
    """Change a stored row behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_command() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_an_intact_chain_verifies(chain):
    assert audit_verify() == (5, None)
    assert "5 événement(s) et 0 horodatage(s) vérifié(s)" in verify_command()


def test_each_event_links_to_the_previous_one(chain):
    assert chain[0].prev_hash == "0" * 64
    for previous, event in zip(chain, chain[1:], strict=False):
        assert event.prev_hash == previous.hash and event.seq == previous.seq + 1


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "test.innocent"),
        ("actor_label", "quelqu.un@exemple.fr"),
        ("object_id", "999"),
        ("details", '{"i": 42}'),
        ("occurred_at", "2020-01-01 00:00:00"),
        ("hash", "f" * 64),
        ("prev_hash", "e" * 64),
    ],
)
def test_tampering_with_any_column_is_detected_and_named(chain, column, value):
    target = chain[2]
    tamper(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, target.id])  # noqa: S608

    checked, broken = audit_verify()
    assert broken is not None and broken.seq == target.seq
    assert checked == 2  # the events before it are still trusted
    with pytest.raises(CommandError, match=f"événement n°{target.seq} \\(id {target.id}\\)"):
        verify_command()


def test_a_removed_event_is_detected(chain):
    tamper("DELETE FROM core_auditevent WHERE id = %s", [chain[1].id])
    _, broken = audit_verify()
    assert broken.seq == chain[2].seq and "n°2" in broken.reason


def test_a_removed_last_event_is_detected(chain):
    tamper("DELETE FROM core_auditevent WHERE id = %s", [chain[-1].id])
    _, broken = audit_verify()
    assert broken is not None and "la fin a été supprimée" in broken.reason


def test_events_cannot_be_changed_or_deleted_through_the_application(chain):
    event = chain[0]
    event.action = "autre"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="autre")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert audit_verify() == (5, None)


def test_an_event_is_appended_without_touching_the_chain_then_sealed_in_order():
    organisation = OrganisationFactory()
    first = audit_record(actor=None, action="organisation.create", target=organisation)
    assert first.seq is None and first.hash is None  # a request writes one row and waits for nothing
    assert not AuditChainHead.objects.filter(seq__gt=0).exists()
    second = audit_record(actor=None, action="procedure.create", target=organisation)

    assert audit_seal(limit=1) == 1  # batches are bounded
    assert audit_seal() == 1
    assert audit_seal() == 0
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.seq, second.seq) == (1, 2) and second.prev_hash == first.hash
    assert AuditChainHead.objects.values_list("seq", "hash").get() == (2, second.hash)


def test_an_event_that_commits_after_later_ones_were_sealed_joins_the_chain_after_them():
    # A transaction that took its id first but committed last: while it was open, the sealer could
    # not see its event (emulated here by taking the row away) and chained the later ones. Once it
    # commits, its event is chained next, in commit order, and the chain still verifies.
    late = audit_record(actor=None, action="observatory.aggregate")
    tamper("DELETE FROM core_auditevent WHERE id = %s", [late.id])
    later = [
        audit_record(actor=None, action=(AuditAction.PROCEDURE_CLOSE, AuditAction.PROCEDURE_REOPEN)[i])
        for i in range(2)
    ]
    assert audit_seal_all() == 2
    late._state.adding = True
    late.save(force_insert=True)  # the same row, with the same id, now committed

    assert audit_verify() == (3, None)
    late.refresh_from_db(), later[-1].refresh_from_db()
    assert late.id < later[0].id and late.seq == 3 and late.prev_hash == later[-1].hash


def test_a_sealed_event_is_never_sealed_again(chain):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET prev_hash = prev_hash WHERE seq IS NOT NULL")
    assert audit_seal() == 0
    assert audit_verify() == (5, None)


def test_the_seal_command_seals_what_waits():
    audit_record(actor=None, action="channel_volume.record")
    out = io.StringIO()
    call_command("audit_seal", stdout=out)
    assert "Événements scellés : 1." in out.getvalue()
    assert AuditEvent.objects.get(action="channel_volume.record").seq == 1


def test_the_seal_loop_that_serve_runs_outlives_a_failed_round():
    audit_record(actor=None, action="channel_volume.record")
    rounds = iter([RuntimeError("base verrouillée"), None])

    def flaky():
        error = next(rounds)
        if error:
            raise error
        return audit_seal_all()

    sleeps = []

    def pause(stop, seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # stops the loop, as serve does
        assert stop.is_set() == (len(sleeps) == 2)

    module = "guichet.core.management.commands.audit_seal"
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch(f"{module}.audit_seal_all", flaky),
        mock.patch("guichet.core.management.loop._pause", pause),
        mock.patch("guichet.core.management.loop.close_old_connections"),  # the test's transaction must stay open
    ):
        call_command("audit_seal", "--every", "1", stdout=out, stderr=err)
    assert sleeps == [1, 1]
    assert "base verrouillée" in err.getvalue()
    assert AuditEvent.objects.get(action="channel_volume.record").seq == 1
