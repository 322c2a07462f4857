"""Writes on people and organisations. Each is atomic and leaves an audit event."""

from django.db import transaction

from guichet.core.audit import audit_record

from .models import Organisation, OrganisationRole, User


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    name: str,
    slug: str,
    siret: str,
    kind: str = Organisation.Kind.OTHER,
    parent: Organisation | None = None,
    street_address: str = "",
    postcode: str = "",
    city: str = "",
) -> Organisation:
    """Create an organisation, checking its SIRET and its place in the tree."""
    organisation = Organisation(
        name=name,
        slug=slug,
        siret=siret,
        kind=kind,
        parent=parent,
        street_address=street_address,
        postcode=postcode,
        city=city,
    )
    organisation.full_clean()
    organisation.save()
    audit_record(actor=actor, action="organisation.create", target=organisation, details={"name": name, "siret": siret})
    return organisation


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
) -> User:
    """Create an account (an applicant signing up, or an agent created by an administrator)."""
    manager = User.objects
    create = manager.create_superuser if is_superuser else manager.create_user
    user = create(email=email, password=password, first_name=first_name, last_name=last_name)
    audit_record(actor=actor, action="user.create", target=user, details={"is_superuser": is_superuser})
    return user


@transaction.atomic
def organisation_role_grant(
    *, actor: User | None, user: User, organisation: Organisation, role: OrganisationRole.Role
) -> OrganisationRole:
    """Give a person a role in an organisation (granting it twice changes nothing)."""
    grant, created = OrganisationRole.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit_record(
            actor=actor,
            action="organisation_role.grant",
            target=grant,
            details={"user": user.email, "organisation": organisation.slug, "role": role},
        )
    return grant
