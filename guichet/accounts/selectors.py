from typing import Any

from django.db.models import QuerySet

from .hooks import agent_roles_collect
from .models import FranceConnectIdentity, Organisation, OrganisationRole, User


def organisations_administered_by(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        roles__user=user, roles__role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    ).distinct()


def user_has_role(user: User, role: OrganisationRole.Role) -> bool:
    return user.is_authenticated and OrganisationRole.objects.filter(user=user, role=role).exists()


def applicant_identity(user) -> dict | None:
    """The identity FranceConnect certified for this person, or None (not signed in, or never signed
    in with FranceConnect). Dossier pages prefill and lock identity fields from it.

    Keys: `given_name` (every first name), `family_name` (birth name), `preferred_username` (usage
    name, often empty), `birthdate` (a date, or None), `birthplace` (INSEE code of the commune, empty
    when born abroad), `birthcountry` (INSEE code, 99100 for France), `email`, `certified_by`
    ("FranceConnect") and `certified_at` (the last sign-in with FranceConnect)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        identity = user.franceconnect_identity  # already read with the user by the sign-in backend
    except FranceConnectIdentity.DoesNotExist:
        return None
    return {
        "given_name": identity.given_name,
        "family_name": identity.family_name,
        "preferred_username": identity.preferred_username,
        "birthdate": identity.birthdate,
        "birthplace": identity.birthplace,
        "birthcountry": identity.birthcountry,
        "email": identity.email,
        "certified_by": "FranceConnect",
        "certified_at": identity.signed_in_at,
    }


def applicant_identity_for_dossier(user: User) -> dict[str, Any]:
    """The applicant's identity as a dossier shows and keeps it: certified by FranceConnect (and
    then not editable), or the names of the account."""
    certified = applicant_identity(user)
    if certified is not None:
        birthdate = certified["birthdate"]
        return {
            "given_name": certified["given_name"],
            "family_name": certified["family_name"],
            "preferred_username": certified["preferred_username"],
            "birthdate": birthdate.isoformat() if birthdate else "",
            "birthplace": certified["birthplace"],
            "birthcountry": certified["birthcountry"],
            "email": user.email,
            "certified_by": certified["certified_by"],
        }
    return {"given_name": user.first_name, "family_name": user.last_name, "email": user.email, "certified_by": ""}


# Who counts as an agent (every role but the applicant's), and the roles that ProConnect must have
# authenticated with a second factor.
AGENT_ROLES_MFA_AT_PROCONNECT = frozenset(
    {
        OrganisationRole.Role.PROCEDURE_ADMINISTRATOR,
        OrganisationRole.Role.STEERING,
        OrganisationRole.Role.ARCHIVIST,
        "superuser",
    }
)


def agent_roles(user: User) -> set[str]:
    """The agent roles a person holds: `procedure_administrator`, `steering` and `archivist` (organisation roles),
    `superuser` (the technical administration), and what the apps above add through the
    `agent_roles_collect` hook (`instructor`, `expert`). Empty for an applicant."""
    roles: set[str] = set(OrganisationRole.objects.filter(user=user).values_list("role", flat=True).distinct())
    if user.is_superuser or user.is_staff:
        roles.add("superuser")
    agent_roles_collect.send(user=user, roles=roles)
    return roles
