"""A service run in its caller's transaction, which holds the row's lock (core/transactions.py):
no savepoint of its own, its writes and its failure the caller's; refused outside a transaction."""

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from guichet.core.transactions import atomic_unless_held


@pytest.mark.django_db(transaction=True)
def test_held_only_inside_a_transaction_and_without_a_savepoint():
    with pytest.raises(TransactionManagementError):
        atomic_unless_held(True)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with atomic_unless_held(True):
            pass
        with atomic_unless_held(False):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    statements = [query["sql"] for query in queries]
    assert sum("SAVEPOINT" in sql and "RELEASE" not in sql for sql in statements) == 1
