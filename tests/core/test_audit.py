import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guichet.core.audit import audit_record, audit_verify
from guichet.core.models import AppendOnlyError, AuditEvent
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    actor = UserFactory()
    organisation = OrganisationFactory()
    return [
        audit_record(actor=actor if i % 2 else None, action=f"test.action{i}", target=organisation, details={"i": i})
        for i in range(5)
    ]


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
    assert "5 événement(s) vérifié(s)" in verify_command()


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
