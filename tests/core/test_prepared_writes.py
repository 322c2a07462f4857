"""`row_insert` and `row_update` (core/prepared_writes.py) write exactly what `save()` writes, and
`rows_insert` what `bulk_create()` writes, with SQL built once; what they cannot do as `save()` does
goes through `save()`."""

import datetime

import pytest
from django.db import DatabaseError, models
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from guichet.core.models import AuditAction, AuditEvent
from guichet.core.prepared_writes import SQLValue, row_insert, row_update, rows_insert
from guichet.dossiers.models import Dossier
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)


def _event(actor, **extra) -> AuditEvent:
    return AuditEvent(
        occurred_at=MOMENT,
        actor=actor,
        actor_label=actor.email,
        action=AuditAction.DOSSIER_ANSWERS_SAVE,
        object_type="dossiers.dossier",
        object_id="12",
        details={"fields": ["nom", "prénom"], "n": 2},
        **extra,
    )


def _row(model: type[models.Model], pk) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    row.pop("id")
    return row


def test_an_inserted_row_is_the_one_that_save_writes_and_the_object_knows_its_key():
    actor = UserFactory()
    by_save, prepared = _event(actor), _event(actor)
    by_save.save()
    assert row_insert(prepared) is prepared
    assert prepared.pk is not None and prepared.pk != by_save.pk
    assert not prepared._state.adding and prepared._state.db == "default"
    assert _row(AuditEvent, prepared.pk) == _row(AuditEvent, by_save.pk)


def test_dates_set_on_creation_and_defaults_are_as_save_sets_them():
    dossier = DossierFactory()
    made = Dossier(procedure=dossier.procedure, version=dossier.version, applicant=dossier.applicant, answers={})
    before = timezone.now()
    row_insert(made)
    saved = Dossier.objects.get(pk=made.pk)
    assert saved.created_at >= before and saved.created_at == made.created_at
    assert saved.state == Dossier._meta.get_field("state").default


def test_an_update_writes_the_fields_named_and_the_date_of_change():
    dossier = DossierFactory()
    other = Dossier.objects.get(pk=dossier.pk)
    dossier.answers = {"objet": "Autre chose", "liste": [1, 2]}
    dossier.resume_page = 3
    dossier.state = "accepted"  # not named: not written
    before = dossier.updated_at
    row_update(dossier, ["answers", "resume_page", "updated_at"])
    saved = Dossier.objects.get(pk=dossier.pk)
    assert saved.answers == {"objet": "Autre chose", "liste": [1, 2]} and saved.resume_page == 3
    assert saved.state == other.state and saved.updated_at > before


def test_an_update_of_a_row_gone_fails_as_save_does():
    dossier = DossierFactory()
    Dossier.objects.filter(pk=dossier.pk).delete()
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        row_update(dossier, ["answers"])


def test_a_model_with_receivers_or_an_expression_goes_through_save():
    dossier = DossierFactory()
    heard = []

    def listen(sender, instance, **kwargs):
        heard.append(instance.pk)

    post_save.connect(listen, sender=Dossier)
    try:
        row_update(dossier, ["answers"])
    finally:
        post_save.disconnect(listen, sender=Dossier)
    assert heard == [dossier.pk]
    page = dossier.resume_page
    dossier.resume_page = F("resume_page") + 2
    row_update(dossier, ["resume_page"])
    assert Dossier.objects.get(pk=dossier.pk).resume_page == page + 2


def test_an_insert_sends_pre_save_as_save_does_and_a_post_save_receiver_goes_through_save():
    heard = []

    def before(sender, instance, raw, using, update_fields, **kwargs):
        heard.append(("pre", instance.action, raw, using, update_fields, instance.pk))
        instance.actor_label = "Changé avant l’écriture"

    def after(sender, instance, created, **kwargs):
        heard.append(("post", instance.action, created))

    pre_save.connect(before, sender=AuditEvent)
    try:
        event = row_insert(
            AuditEvent(action=AuditAction.DOSSIER_ANSWERS_SAVE, actor_label="x", occurred_at=timezone.now())
        )
        post_save.connect(after, sender=AuditEvent)
        try:
            row_insert(AuditEvent(action=AuditAction.DOSSIER_FILE_STORE, actor_label="y", occurred_at=timezone.now()))
        finally:
            post_save.disconnect(after, sender=AuditEvent)
    finally:
        pre_save.disconnect(before, sender=AuditEvent)
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "Changé avant l’écriture"
    assert heard == [
        ("pre", AuditAction.DOSSIER_ANSWERS_SAVE, False, "default", None, None),
        ("pre", AuditAction.DOSSIER_FILE_STORE, False, "default", None, None),  # sent once, by save()
        ("post", AuditAction.DOSSIER_FILE_STORE, True),
    ]


def test_rows_inserted_at_once_are_those_that_bulk_create_writes_and_know_their_keys():
    actor = UserFactory()
    by_bulk = AuditEvent.objects.bulk_create([_event(actor), _event(actor, prev_hash="b")])
    prepared = rows_insert([_event(actor), _event(actor, prev_hash="b")])
    assert all(event.pk is not None and not event._state.adding for event in prepared)
    assert prepared[0].pk < prepared[1].pk
    assert [_row(AuditEvent, event.pk) for event in prepared] == [_row(AuditEvent, event.pk) for event in by_bulk]
    assert rows_insert([]) == []


def test_rows_insert_refuses_objects_already_saved_or_with_an_expression():
    actor = UserFactory()
    saved = row_insert(_event(actor))
    with pytest.raises(TypeError):
        rows_insert([saved])
    with pytest.raises(TypeError):
        rows_insert([_event(actor, seq=F("seq"))])


def test_a_value_computed_by_a_fixed_sql_text_is_written_by_the_update_and_by_save():
    dossier = DossierFactory()
    dossier.resume_page = SQLValue("(%s + %s)", [2, 3], output_field=models.IntegerField())
    row_update(dossier, ["resume_page"])
    assert Dossier.objects.get(pk=dossier.pk).resume_page == 5
    dossier.resume_page = SQLValue("(%s * %s)", [2, 3], output_field=models.IntegerField())
    dossier.save(update_fields=["resume_page"])
    assert Dossier.objects.get(pk=dossier.pk).resume_page == 6
