"""What every page's layout needs to know about the person."""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from guichet.accounts.models import OrganisationRole, User
from guichet.core.prepared import PreparedQuery
from guichet.instruction.models import ExpertInvitation
from guichet.procedures.models import InstructorMembership
from guichet.www.public.legal import accessibility_conformity


def _role_expressions(user: str = "pk") -> dict[str, Exists]:
    """The roles of the person whose key the outer query names `user`."""
    return {
        "instructor": Exists(InstructorMembership.objects.filter(user=OuterRef(user))),
        "expert": Exists(ExpertInvitation.objects.filter(expert=OuterRef(user), revoked_at__isnull=True)),
        "archivist": Exists(OrganisationRole.objects.filter(user=OuterRef(user), role=OrganisationRole.Role.ARCHIVIST)),
    }


# When the user was read by another way than the session's (core/prepared.py: compiled once).
_ROLE_NAMES = ("instructor", "expert", "archivist")
_ROLES = PreparedQuery(
    lambda pk: User.objects.filter(pk=pk).annotate(**_role_expressions()).values(*_ROLE_NAMES).order_by()
)
_ANNOTATED = "roles_"


def session_user_roles(*, annotations: dict, user: str) -> None:
    """Listener of `accounts.hooks.session_user_annotate`: the roles, read with the signed-in user."""
    annotations.update({_ANNOTATED + name: expression for name, expression in _role_expressions(user).items()})


def person_roles(request) -> dict[str, bool]:
    """Whether the signed-in person instructs dossiers (is in a group), is asked for opinions
    (an invitation not revoked) or looks after archives (the archivist role; superusers too): read
    with the user from the session (session_user_roles), else one query per request, whoever asks
    first (the back office's access check, or the header)."""
    known = getattr(request, "_guichet_roles", None)
    if known is not None:
        return known
    user = getattr(request, "user", None)
    found = {"instructor": False, "expert": False, "archivist": False}
    if user is not None and user.is_authenticated:
        if hasattr(user, _ANNOTATED + _ROLE_NAMES[0]):  # read with the user (session_user_roles)
            row = {name: getattr(user, _ANNOTATED + name) for name in _ROLE_NAMES}
        else:
            row = _ROLES.first(user.pk)
        found = {role: bool(value) for role, value in row.items()} if row else found
        found["archivist"] = found["archivist"] or user.is_superuser
    request._guichet_roles = found
    return found


def roles(request):
    """The person's roles for the header, which links to their spaces: read only when a page's
    header asks."""
    return {"roles": SimpleLazyObject(lambda: person_roles(request))}


def accessibility(request):
    """The accessibility statement's conformity state, which the footer's link names (RGAA)."""
    return {"accessibility_state": accessibility_conformity(settings.GUICHET_LEGAL["accessibility_rate"]).state}
