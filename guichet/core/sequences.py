from django.db import IntegrityError, connection, transaction

from .models import Sequence


@transaction.atomic(savepoint=False)
def sequence_next(name: str) -> int:
    """The next value of a named counter, without gaps (the row stays locked until commit).

    One statement in the usual case: the increment locks the row and returns the new value."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Sequence._meta.db_table} SET last_value = last_value + 1 WHERE name = %s RETURNING last_value",  # noqa: S608
            [name],
        )
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    try:
        with transaction.atomic():  # the counter's first use; a savepoint in case another creates it
            Sequence.objects.create(name=name, last_value=1)
    except IntegrityError:
        return sequence_next(name)
    return 1
