"""What every page's layout needs to know about the person."""

from django.utils.functional import SimpleLazyObject

from guichet.instruction.models import InstructorMembership


def roles(request):
    """Whether the signed-in person instructs dossiers (the header then links to the back office);
    asked of the database only when a page's header needs it."""

    def is_instructor() -> bool:
        known = getattr(request, "is_instructor", None)  # set by the back office's access check
        if known is not None:
            return known
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and InstructorMembership.objects.filter(user=user).exists())

    return {"is_instructor": SimpleLazyObject(is_instructor)}
