"""The second factor of local accounts: an authenticator app (TOTP, with pyotp), security keys and
passkeys (WebAuthn, with py_webauthn: `webauthn_keys.py`), and recovery codes.

Every agent must have one (`second_factor_required`; GUICHET_SECOND_FACTOR_FOR_INSTRUCTORS=false
lets instructors do without); an applicant may turn it on from their account page, and is then
asked for it too. Writes are atomic and audited; a lost factor is reset by a super-administrator."""

import hashlib
import secrets
import time

import pyotp
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction

from .models import RecoveryCode, TOTPDevice, User, WebAuthnCredential
from .selectors import agent_roles

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand
TOTP_STEP = 30


def second_factor_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user).exists() or WebAuthnCredential.objects.filter(user=user).exists()


def second_factor_mandatory(user: User) -> bool:
    """Whether the person's roles make a second factor mandatory: every agent role (instructors may be
    let off by GUICHET_SECOND_FACTOR_FOR_INSTRUCTORS=false)."""
    roles = agent_roles(user)
    if not settings.GUICHET_SECOND_FACTOR_FOR_INSTRUCTORS:
        roles.discard("instructor")
    return bool(roles)


def second_factor_required(user: User) -> bool:
    """Whether signing in with a password must be followed by a second factor: for every agent, and
    for an applicant who turned it on."""
    return second_factor_mandatory(user) or second_factor_enrolled(user)


def totp_secret_new() -> str:
    return pyotp.random_base32()


def totp_provisioning_uri(*, user: User, secret: str) -> str:
    """The `otpauth://` address that the QR code carries to the authenticator app."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.GUICHET_PLATFORM_NAME)


def _clean_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _totp_step(secret: str, code: str, *, after: int) -> int | None:
    """The 30-second step that `code` belongs to (this one, or one either side for a clock that drifts),
    if later than `after`; else None."""
    code = _clean_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp, now = pyotp.TOTP(secret), int(time.time()) // TOTP_STEP
    for step in (now, now - 1, now + 1):
        if step > after and secrets.compare_digest(totp.at(step * TOTP_STEP), code):
            return step
    return None


def recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _hash(code: str) -> str:
    return hashlib.sha256(_clean_code(code).encode()).hexdigest()


@transaction.atomic
def totp_device_confirm(*, actor: User, user: User, secret: str, code: str) -> list[str]:
    """Keep the authenticator app whose first code the person typed. Returns new recovery codes when
    this is the account's first second factor (else an empty list: the codes given before stay)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    step = _totp_step(secret, code, after=0)
    if step is None:
        raise ValidationError("Ce code ne correspond pas. Saisissez le code à 6 chiffres affiché par l’application.")
    first = not second_factor_enrolled(user)
    TOTPDevice.objects.update_or_create(user=user, defaults={"secret": secret, "last_used_step": step})
    audit_record(actor=actor, action=AuditAction.SECOND_FACTOR_TOTP_ENABLE, target=user)
    return recovery_codes_replace(user) if first or not RecoveryCode.objects.filter(user=user).exists() else []


@transaction.atomic
def totp_verify(*, user: User, code: str) -> bool:
    """Whether `code` is the app's current code, not used already (a code is good once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return False
    step = _totp_step(device.secret, code, after=device.last_used_step)
    if step is None:
        return False
    device.last_used_step = step
    device.save(update_fields=["last_used_step", "updated_at"])
    return True


@transaction.atomic
def recovery_code_use(*, user: User, code: str) -> bool:
    """Sign in with a recovery code: good once (a conditional update, so two requests at once cannot
    both use it). Audited, with the number of codes left."""
    used = RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not used:
        return False
    left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
    audit_record(actor=user, action=AuditAction.SECOND_FACTOR_RECOVERY_CODE_USE, target=user, details={"left": left})
    return True


@transaction.atomic
def recovery_codes_regenerate(*, actor: User, user: User) -> list[str]:
    """New recovery codes (the former ones stop working), shown once to the person."""
    if not second_factor_enrolled(user):
        raise ValidationError("Activez d’abord la double authentification.")
    codes = recovery_codes_replace(user)
    audit_record(actor=actor, action=AuditAction.SECOND_FACTOR_RECOVERY_CODES_NEW, target=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def second_factor_disable(*, actor: User, user: User) -> None:
    """An applicant turns the second factor off (an agent cannot: it is mandatory for them)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if second_factor_mandatory(user):
        raise ValidationError("La double authentification est obligatoire pour les agents.")
    _second_factor_delete(user)
    audit_record(actor=actor, action=AuditAction.SECOND_FACTOR_DISABLE, target=user)


def _second_factor_delete(user: User) -> dict[str, int]:
    return {
        "totp": TOTPDevice.objects.filter(user=user).delete()[0],
        "webauthn": WebAuthnCredential.objects.filter(user=user).delete()[0],
        "recovery_codes": RecoveryCode.objects.filter(user=user).delete()[0],
    }


@transaction.atomic
def second_factor_reset(*, actor: User, user: User, reason: str) -> None:
    """A super-administrator resets the second factor of a person who lost it (after checking who
    they are, by other means): the app, the keys and the recovery codes are removed, and the person
    enrols again at their next sign-in. Audited with the reason."""
    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied("Seul un super-administrateur peut réinitialiser une double authentification.")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Indiquez la raison de la réinitialisation.")
    user = User.objects.select_for_update().get(pk=user.pk)
    removed = _second_factor_delete(user)
    audit_record(
        actor=actor, action=AuditAction.SECOND_FACTOR_RESET, target=user, details={"reason": reason, **removed}
    )


@transaction.atomic
def totp_device_install(*, actor: User | None, user: User, secret: str) -> TOTPDevice:
    """Give an account an authenticator app whose secret is known beforehand: only for the
    demonstration accounts (`manage.py demo`), whose secret is published like their password.
    Installing the same secret twice changes nothing."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None and device.secret == secret:
        return device
    device, _ = TOTPDevice.objects.update_or_create(user=user, defaults={"secret": secret, "last_used_step": 0})
    audit_record(actor=actor, action=AuditAction.SECOND_FACTOR_TOTP_ENABLE, target=user, details={"demo": True})
    return device
