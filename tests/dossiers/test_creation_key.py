"""« Commencer » sends a random key: the same key gives back the same draft, also when two requests
with it run at the same time (the second's check finds nothing yet, its insert meets the first's)."""

import threading
import uuid

import pytest
from django.db import connection, transaction

from guichet.dossiers.models import Dossier
from guichet.dossiers.services import dossier_create
from tests.factories import ProcedureFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_starts_with_one_key_at_the_same_time_make_one_draft():
    """The first request's draft is written but not committed when the second one starts: on
    PostgreSQL the second's insert waits for it, then clashes and gives back the first's draft (its
    own transaction undone whole); on SQLite the second waits for the write lock and finds it."""
    procedure, person, key = ProcedureFactory(), UserFactory(), uuid.uuid4()
    written, release = threading.Event(), threading.Event()
    first: list[Dossier] = []

    def first_request() -> None:
        try:
            with transaction.atomic():
                first.append(dossier_create(actor=person, procedure=procedure, creation_key=key))
                written.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    assert written.wait(10)
    threading.Timer(0.5, release.set).start()
    second = dossier_create(actor=person, procedure=procedure, creation_key=key)
    thread.join(10)
    assert second.pk == first[0].pk
    assert Dossier.objects.filter(applicant=person).count() == 1


@pytest.mark.django_db
def test_within_a_callers_transaction_a_clash_leaves_the_transaction_usable():
    procedure, person, key = ProcedureFactory(), UserFactory(), uuid.uuid4()
    with transaction.atomic():
        made = dossier_create(actor=person, procedure=procedure, creation_key=key)
        again = dossier_create(actor=person, procedure=procedure, creation_key=key)
        assert again.pk == made.pk
        assert Dossier.objects.filter(applicant=person).count() == 1
