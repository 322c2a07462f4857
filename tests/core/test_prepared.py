"""Queries compiled once (core/prepared.py) give what their queryset gives, with the same SQL, for
any values, and keep the queryset's rules (a lock only inside a transaction)."""

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from guichet.core.prepared import PreparedQuery
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_for_applicant, dossiers_of_applicant_id
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import procedure_to_start
from tests.factories import DossierFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db

OWN_DOSSIER = PreparedQuery(lambda applicant, pk: dossiers_of_applicant_id(applicant).filter(pk=pk))


def test_the_same_objects_and_sql_as_the_queryset_for_any_values():
    first, second = DossierFactory(), DossierFactory()
    for dossier in (first, second):
        queryset = dossiers_of_applicant_id(dossier.applicant_id).filter(pk=dossier.pk)
        expected = queryset.get()
        with CaptureQueriesContext(connection) as prepared_queries:
            found = OWN_DOSSIER.get(dossier.applicant_id, dossier.pk)
        with CaptureQueriesContext(connection) as queryset_queries:
            list(dossiers_of_applicant_id(dossier.applicant_id).filter(pk=dossier.pk))
        assert [query["sql"] for query in prepared_queries] == [query["sql"] for query in queryset_queries]
        assert found == expected and found.answers == expected.answers and found.state == expected.state
        with CaptureQueriesContext(connection) as more:
            # Read with it, as the queryset reads them: no query for the procedure nor its organisation.
            assert found.procedure == expected.procedure
            assert found.procedure.organisation.name == expected.procedure.organisation.name
        assert len(more) == 0
        # Deferred as in the queryset: the procedure's draft form is read only when asked.
        assert found.procedure.get_deferred_fields() == expected.procedure.get_deferred_fields()


def test_another_applicants_dossier_does_not_exist():
    dossier, stranger = DossierFactory(), UserFactory()
    with pytest.raises(Dossier.DoesNotExist):
        OWN_DOSSIER.get(stranger.pk, dossier.pk)
    with pytest.raises(Dossier.DoesNotExist):
        dossier_for_applicant(stranger, dossier.pk)
    assert OWN_DOSSIER.first(stranger.pk, dossier.pk) is None
    assert OWN_DOSSIER.rows(dossier.applicant_id, dossier.pk) == [dossier]


@pytest.mark.django_db(transaction=True)
def test_a_lock_is_refused_outside_a_transaction_and_taken_inside():
    dossier = DossierFactory()
    with pytest.raises(TransactionManagementError):
        dossier_for_applicant(dossier.applicant, dossier.pk, for_update=True)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert dossier_for_applicant(dossier.applicant, dossier.pk, for_update=True) == dossier
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in query["sql"] for query in queries)


def test_values_with_annotations_come_back_as_dicts():
    users = UserFactory.create_batch(2)
    query = PreparedQuery(lambda pk: type(users[0]).objects.filter(pk=pk).values("email"))
    assert [query.first(user.pk)["email"] for user in users] == [user.email for user in users]
    sql, params = query.sql(users[1].pk)
    assert params == [users[1].pk] and "email" in sql


def test_a_text_value_is_bound_as_a_text_the_procedure_to_start_by_its_slug():
    procedure, other = ProcedureFactory(), ProcedureFactory()
    found = procedure_to_start(procedure.slug)
    assert found == procedure and procedure_to_start(other.slug) == other
    assert found.latest_version_id == procedure.versions.get().pk
    assert found.organisation.name == procedure.organisation.name
    assert procedure_to_start("inconnue' OR '1'='1") is None
    Procedure.objects.filter(pk=other.pk).update(status=Procedure.Status.CLOSED)
    assert procedure_to_start(other.slug) is None
