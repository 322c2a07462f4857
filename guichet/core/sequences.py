from django.db import transaction

from .models import Sequence


@transaction.atomic
def sequence_next(name: str) -> int:
    """The next value of a named counter, without gaps (the row stays locked until commit)."""
    counter, _ = Sequence.objects.select_for_update().get_or_create(name=name)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value
