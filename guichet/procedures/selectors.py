from django.db.models import QuerySet

from .models import Procedure


def procedures_public() -> QuerySet[Procedure]:
    """What the catalogue shows to anyone: the published procedures."""
    return Procedure.objects.published().select_related("organisation").order_by("title")


def procedures_catalogue() -> QuerySet[Procedure]:
    """The published procedures as the catalogue lists them, without their forms (which can be large)."""
    return procedures_public().only("title", "slug", "summary", "organisation__name", "organisation__slug")
