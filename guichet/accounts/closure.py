"""What is left of a person's account once they asked for it to be deleted: the account that
eliminated dossiers point to instead of their applicant, and the pseudonymisation of an account
(archives/personal_data.py decides when; the audit trail keeps naming the account by its id)."""

from django.db import transaction

from .models import (
    FranceConnectIdentity,
    ProConnectIdentity,
    RecoveryCode,
    TOTPDevice,
    User,
    WebAuthnCredential,
)
from .selectors import agent_roles

# An address that no mail server will ever accept (RFC 2606 reserves .invalid).
DELETED_APPLICANT_EMAIL = "usager-supprime@guichet.invalid"
PSEUDONYM_DOMAIN = "compte-supprime.invalid"


def deleted_applicant() -> User:
    """The one account that stands for « usager supprimé »: eliminated dossiers keep their row for
    the statistics, but no longer point to the person who filed them. It can never sign in."""
    user = User.objects.filter(email=DELETED_APPLICANT_EMAIL).first()
    if user is not None:
        return user
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            email=DELETED_APPLICANT_EMAIL,
            defaults={"first_name": "", "last_name": "Usager supprimé", "is_active": False},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    return user


def user_is_agent(user: User) -> bool:
    """An agent's account is closed by their administration, not from the applicant's pages. Every
    agent role counts, the instructors' and experts' too (the apps above tell them: selectors.agent_roles)."""
    return bool(agent_roles(user))


def user_sign_in_close(user: User) -> None:
    """No more sign-in with this account, by any means, and its open sessions end (the caller audits it)."""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    FranceConnectIdentity.objects.filter(user=user).delete()
    ProConnectIdentity.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    # Open sessions end by themselves: Django checks each request's session against a hash of the
    # password, which has just changed, and an inactive account is refused.


def user_pseudonymise(user: User) -> None:
    """Replace what identifies the person (address, names) by a pseudonym made of the account's id
    only, and close the account (the caller audits it)."""
    user_sign_in_close(user)
    user.email = f"compte-{user.pk}@{PSEUDONYM_DOMAIN}"
    user.first_name = user.last_name = ""
    user.save(update_fields=["email", "first_name", "last_name"])
