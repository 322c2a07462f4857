"""A service's transaction when its caller already holds one with the row locked."""

from contextlib import AbstractContextManager, nullcontext

from django.db import transaction
from django.db.transaction import TransactionManagementError


def atomic_unless_held(held: bool) -> AbstractContextManager:
    """The service's own transaction (`transaction.atomic()`), unless `held`: the caller read the
    row under its lock in the transaction it is in, and that transaction is the service's (no
    savepoint: two statements fewer, and an error rolls the caller's whole transaction back, as
    it would the service's). Refused outside a transaction, where no lock can be held."""
    if not held:
        return transaction.atomic()
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("The row is said to be locked, outside of any transaction.")
    return nullcontext()
