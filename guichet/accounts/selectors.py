from django.db.models import QuerySet

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
    identity = FranceConnectIdentity.objects.filter(user_id=user.pk).first()
    if identity is None:
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
