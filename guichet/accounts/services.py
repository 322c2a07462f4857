"""Writes on people and organisations. Each is atomic and leaves an audit event."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from guichet.core.audit import audit_record
from guichet.core.emails import email_send_on_commit
from guichet.core.models import AuditAction

from .models import FranceConnectIdentity, Organisation, OrganisationRole, ProConnectIdentity, User
from .selectors import agent_roles
from .tokens import email_confirmation_token


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
    audit_record(
        actor=actor, action=AuditAction.ORGANISATION_CREATE, target=organisation, details={"name": name, "siret": siret}
    )
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
    audit_record(actor=actor, action=AuditAction.USER_CREATE, target=user, details={"is_superuser": is_superuser})
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
            action=AuditAction.ORGANISATION_ROLE_GRANT,
            target=grant,
            details={"user": user.email, "organisation": organisation.slug, "role": role},
        )
    return grant


def _confirmation_email_send(*, user: User, site_url: str, next_url: str) -> None:
    path = reverse(
        "accounts:signup_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_confirmation_token.make_token(user),
        },
    )
    if next_url:
        path += "?" + urlencode({"next": next_url})
    days = settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)
    email_send_on_commit(
        name="accounts/signup_confirm",
        context={"email": user.email, "link": site_url + path, "days": days},
        to=[user.email],
    )


def _normalise_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


@transaction.atomic
def user_signup(
    *,
    email: str,
    password: str,
    site_url: str,
    next_url: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User | None:
    """Sign a person up with an email address and a password (already checked by the password
    validators). The account stays inactive until the link emailed to the address is followed.

    What the page says afterwards never tells whether the address had an account: if it had, the
    email goes to that address instead. An account still awaiting confirmation takes the new
    password (the latest sign-up wins, and the links sent before stop working); a confirmed one is
    left as it is and its owner is told how to sign in. Returns the new account, or None."""
    email = _normalise_email(email)
    existing = User.objects.select_for_update().filter(email=email).first()
    names = {"first_name": first_name.strip()[:150], "last_name": last_name.strip()[:150]}
    if existing is not None and existing.is_awaiting_confirmation:
        existing.set_password(password)
        for field, value in names.items():
            setattr(existing, field, value or getattr(existing, field))
        existing.save(update_fields=["password", *names])
        audit_record(actor=existing, action=AuditAction.USER_SIGNUP_AGAIN, target=existing)
        _confirmation_email_send(user=existing, site_url=site_url, next_url=next_url)
        return None
    if existing is not None:
        email_send_on_commit(
            name="accounts/signup_existing",
            context={
                "email": existing.email,
                "login_link": site_url + reverse("accounts:login"),
                "reset_link": site_url + reverse("accounts:password_reset"),
                "franceconnect": FranceConnectIdentity.objects.filter(user=existing).exists(),
                "has_password": existing.has_usable_password(),
            },
            to=[existing.email],
        )
        return None
    user = User.objects.create_user(email=email, password=password, is_active=False, email_confirmed_at=None, **names)
    audit_record(actor=user, action=AuditAction.USER_SIGNUP, target=user)
    _confirmation_email_send(user=user, site_url=site_url, next_url=next_url)
    return user


def user_confirmation_resend(*, email: str, site_url: str, next_url: str = "") -> None:
    """Send the confirmation link again to an account that still awaits it (and nothing otherwise:
    the page that follows is the same either way)."""
    user = User.objects.filter(email=_normalise_email(email)).first()
    if user is not None and user.is_awaiting_confirmation:
        with transaction.atomic():
            _confirmation_email_send(user=user, site_url=site_url, next_url=next_url)


@transaction.atomic
def user_email_confirm(*, user: User) -> User:
    """The person followed the link sent to their address: the account becomes active."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_awaiting_confirmation:
        raise ValidationError("Ce compte n’attend pas de confirmation.")
    user.is_active = True
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["is_active", "email_confirmed_at"])
    audit_record(actor=user, action=AuditAction.USER_EMAIL_CONFIRM, target=user)
    return user


@transaction.atomic
def user_profile_update(*, actor: User, user: User, first_name: str, last_name: str) -> User:
    """Change the name a person gave. A name that FranceConnect certified cannot be changed here:
    it is updated at each sign-in with FranceConnect."""
    if FranceConnectIdentity.objects.filter(user=user).exists():
        raise ValidationError("Votre identité est certifiée par FranceConnect : elle ne peut pas être modifiée ici.")
    user = User.objects.select_for_update().get(pk=user.pk)
    changes = {
        field: value
        for field, value in (("first_name", first_name.strip()), ("last_name", last_name.strip()))
        if getattr(user, field) != value
    }
    if changes:
        for field, value in changes.items():
            setattr(user, field, value)
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(changes))
        audit_record(
            actor=actor, action=AuditAction.USER_PROFILE_UPDATE, target=user, details={"changed": sorted(changes)}
        )
    return user


class FranceConnectAccountConflict(Exception):
    """The email address FranceConnect sent belongs to an account already tied to another
    FranceConnect identity."""


def _birthdate(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@transaction.atomic
def franceconnect_sign_in(*, claims: dict[str, str], acr: str = "") -> User:
    """Find or make the account of a person whom FranceConnect has just identified, and store the
    identity it certified (updated at every sign-in, like the account's first and last names).

    The account is the one already tied to this FranceConnect identity (`sub`); else the one with
    the same email address, which gets tied to it; else a new one, active, without a password. An
    account that was still awaiting the confirmation of its address loses the password chosen at
    sign-up: nobody proved that it was chosen by the owner of the address."""
    sub = claims["sub"]
    identity = FranceConnectIdentity.objects.select_for_update().filter(sub=sub).select_related("user").first()
    email = _normalise_email(claims.get("email") or "")
    action = AuditAction.FRANCECONNECT_SIGN_IN
    if identity is not None:
        user = identity.user
    else:
        if not email:
            raise ValidationError("FranceConnect n’a pas transmis d’adresse électronique.")
        user = User.objects.select_for_update().filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None)
            action = AuditAction.FRANCECONNECT_SIGN_UP
        elif FranceConnectIdentity.objects.filter(user=user).exists():
            raise FranceConnectAccountConflict(email)
        else:
            action = AuditAction.FRANCECONNECT_LINK
            if user.is_awaiting_confirmation:
                user.set_unusable_password()
                user.is_active = True
                user.email_confirmed_at = timezone.now()
                user.save(update_fields=["password", "is_active", "email_confirmed_at"])
        identity = FranceConnectIdentity(user=user, sub=sub)
    if not user.is_active:
        raise ValidationError("Ce compte est désactivé.")

    identity.given_name = claims.get("given_name") or ""
    identity.family_name = claims.get("family_name") or ""
    identity.preferred_username = claims.get("preferred_username") or ""
    identity.birthdate = _birthdate(claims.get("birthdate") or "")
    identity.birthplace = claims.get("birthplace") or ""
    identity.birthcountry = claims.get("birthcountry") or ""
    identity.gender = claims.get("gender") if claims.get("gender") in {"male", "female"} else ""
    identity.email = email
    identity.acr = acr
    identity.signed_in_at = timezone.now()
    identity.full_clean(exclude=["user"])
    identity.save()

    names = {"first_name": identity.given_name[:150], "last_name": identity.family_name[:150]}
    if any(getattr(user, field) != value for field, value in names.items()):
        for field, value in names.items():
            setattr(user, field, value)
        user.save(update_fields=list(names))
    audit_record(actor=user, action=action, target=user, details={"sub": sub, "acr": acr})
    return user


class ProConnectUnknownAgent(Exception):
    """ProConnect identified an agent whom no agent account of Guichet matches."""


@transaction.atomic
def proconnect_sign_in(*, claims: dict[str, str], acr: str = "", amr: list[str] | None = None) -> User:
    """Find the agent account of a person whom ProConnect has just identified, and store what it sent
    (updated at every sign-in).

    The account is the one already tied to this ProConnect identity (`sub`, ProConnect's
    reconciliation key); else the account of an agent (a person holding an agent role) with the same
    email address, which gets tied to it. ProConnect never creates an account: an agent is created
    by their administration first. The organisation is the one whose SIRET ProConnect sent, if any."""
    sub = claims["sub"]
    identity = ProConnectIdentity.objects.select_for_update().filter(sub=sub).select_related("user").first()
    email = _normalise_email(claims.get("email") or "")
    action = AuditAction.PROCONNECT_SIGN_IN
    if identity is None:
        user = User.objects.select_for_update().filter(email=email).first() if email else None
        if user is None or not agent_roles(user):
            raise ProConnectUnknownAgent(email)
        identity = ProConnectIdentity(user=user, sub=sub)
        action = AuditAction.PROCONNECT_LINK
    user = identity.user
    if not user.is_active:
        raise ValidationError("Ce compte est désactivé.")
    siret = (claims.get("siret") or "").strip()
    identity.idp_id = claims.get("idp_id") or ""
    identity.uid = claims.get("uid") or ""
    identity.given_name = claims.get("given_name") or ""
    identity.usual_name = claims.get("usual_name") or ""
    identity.email = email
    identity.siret = siret[:14]
    identity.organisation = Organisation.objects.filter(siret=siret).first() if siret else None
    identity.acr = acr
    identity.amr = list(amr or [])
    identity.signed_in_at = timezone.now()
    identity.save()

    names = {"first_name": identity.given_name[:150], "last_name": identity.usual_name[:150]}
    if all(names.values()) and any(getattr(user, field) != value for field, value in names.items()):
        for field, value in names.items():
            setattr(user, field, value)
        user.save(update_fields=list(names))
    audit_record(
        actor=user,
        action=action,
        target=user,
        details={
            "sub": sub,
            "idp_id": identity.idp_id,
            "acr": acr,
            "siret": identity.siret,
            "organisation": identity.organisation.slug if identity.organisation else None,
        },
    )
    return user
