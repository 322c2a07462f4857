"""The changes feed keeps GUICHET_API_CHANGES_RETENTION_DAYS of changes: the files' loop prunes the
older ones, and a client whose cursor is older than what is kept is told so (410, in the API's error
shape) with the cursor to follow once it has listed every dossier again; nothing is missed."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from guichet.dossiers.changes import cursor_of, cursor_read, dossier_changes_prune
from guichet.dossiers.models import DossierChange
from guichet.instruction.services import dossier_labels_set
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

from .keys import bearer, service_account, service_key

pytestmark = pytest.mark.django_db


def _changes(client, headers, since=""):
    return client.get("/api/v1/dossiers/changes", {"since": since} if since else {}, headers=headers)


def test_an_expired_cursor_is_told_to_resync_from_a_full_list(client, settings):
    settings.GUICHET_API_CHANGES_RETENTION_DAYS = 90
    procedure = ProcedureFactory()
    headers = bearer(service_key(service_account(procedure.organisation, ["dossiers:read"])))
    instructor = instructor_of(procedure)
    old, recent = (DossierFactory(procedure=procedure, submitted=True) for _ in range(2))
    # A client synced once, long ago, and keeps its cursor.
    stale = _changes(client, headers).json()["cursor"]
    dossier_labels_set(actor=instructor, dossier=old, names=["Vu"])
    _changes(client, headers)  # a reading places the change in the feed
    DossierChange.objects.update(at=timezone.now() - timedelta(days=91))
    dossier_labels_set(actor=instructor, dossier=recent, names=["Récent"])
    current = _changes(client, headers).json()["cursor"]

    call_command("dossier_files_purge", verbosity=0)

    assert not DossierChange.objects.filter(at__lt=timezone.now() - timedelta(days=90)).exists()
    assert DossierChange.objects.filter(dossier=recent).exists()
    gone = _changes(client, headers, since=stale)
    assert gone.status_code == 410
    body = gone.json()
    assert body["errors"] is None and body["cursor"] != stale
    assert "90 jours" in body["detail"] and "GET /api/v1/dossiers" in body["detail"]
    # The resync: keep the cursor, list every dossier, then follow the feed from the cursor.
    listed = client.get("/api/v1/dossiers", headers=headers).json()["dossiers"]
    assert {d["id"] for d in listed} == {old.pk, recent.pk}
    dossier_labels_set(actor=instructor, dossier=old, names=["Revu"])
    resumed = _changes(client, headers, since=body["cursor"])
    assert resumed.status_code == 200
    assert [(d["id"], d["labels"]) for d in resumed.json()["dossiers"]] == [(old.pk, ["Revu"])]

    # A cursor given after the pruned changes still reads on; a new client starts with what is kept.
    assert _changes(client, headers, since=current).status_code == 200
    assert _changes(client, headers).status_code == 200


def test_pruning_keeps_what_is_recent_and_what_is_not_yet_placed(settings):
    settings.GUICHET_API_CHANGES_RETENTION_DAYS = 90
    dossier = DossierFactory(submitted=True)
    unplaced = DossierChange.objects.create(dossier=dossier, at=timezone.now() - timedelta(days=200))
    assert dossier_changes_prune(now=timezone.now()) == 0
    assert DossierChange.objects.filter(pk=unplaced.pk).exists()


def test_a_cursor_beyond_the_feed_s_end_is_told_to_resync_rather_than_skipping_changes(client):
    # A cursor the feed never gave (the database restored from a backup older than the client's
    # cursor, a cursor of another platform): following it would skip every change until the feed
    # caught up. It is told as an expired one is, with where to resume.
    procedure = ProcedureFactory()
    headers = bearer(service_key(service_account(procedure.organisation, ["dossiers:read"])))
    dossier = DossierFactory(procedure=procedure, submitted=True)
    end = _changes(client, headers).json()["cursor"]
    ahead = cursor_of(cursor_read(end) + 1_000)
    gone = _changes(client, headers, since=ahead)
    assert gone.status_code == 410 and gone.json()["cursor"] == end
    dossier_labels_set(actor=instructor_of(procedure), dossier=dossier, names=["Vu"])
    assert [d["id"] for d in _changes(client, headers, since=gone.json()["cursor"]).json()["dossiers"]] == [dossier.pk]
