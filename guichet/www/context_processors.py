"""What every page's layout needs to know about the person."""

from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from guichet.accounts.models import User
from guichet.instruction.models import ExpertInvitation, InstructorMembership


def roles(request):
    """Whether the signed-in person instructs dossiers or is asked for opinions (the header then
    links to those spaces): one query, made only when a page's header asks."""

    def roles_read() -> dict[str, bool]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return {"instructor": False, "expert": False}
        row = (
            User.objects.filter(pk=user.pk)
            .annotate(
                instructor=Exists(InstructorMembership.objects.filter(user=OuterRef("pk"))),
                expert=Exists(ExpertInvitation.objects.filter(expert=OuterRef("pk"), revoked_at__isnull=True)),
            )
            .values("instructor", "expert")
            .first()
        )
        return row or {"instructor": False, "expert": False}

    return {"roles": SimpleLazyObject(roles_read)}
