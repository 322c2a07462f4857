from django.db.models import QuerySet

from .models import Procedure


def procedures_public() -> QuerySet[Procedure]:
    """What the catalogue shows to anyone: the published procedures."""
    return Procedure.objects.published().select_related("organisation").order_by("title")
