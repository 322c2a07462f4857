"""Security keys and passkeys (WebAuthn) as a second factor, with py_webauthn (Duo Labs' library,
maintained, which checks the whole ceremony: challenge, origin, relying party, signature, counter).

The browser's ceremony needs JavaScript; the options go to it as JSON (`PublicKeyCredential.
parseCreationOptionsFromJSON`) and its answer comes back as JSON (`credential.toJSON()`)."""

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction

from .models import RecoveryCode, User, WebAuthnCredential
from .second_factor import recovery_codes_replace, second_factor_enrolled

TRANSPORTS = {transport.value for transport in AuthenticatorTransport}
REFUSED = "La clé n’a pas pu être vérifiée. Réessayez, ou utilisez une autre méthode."


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for credential in WebAuthnCredential.objects.filter(user=user):
        transports = [AuthenticatorTransport(t) for t in credential.transports if t in TRANSPORTS]
        descriptors.append(
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential.credential_id), transports=transports)
        )
    return descriptors


def registration_options(*, user: User, rp_id: str, rp_name: str) -> tuple[str, bytes]:
    """The options of a registration (JSON for the browser) and their challenge (kept in the session)."""
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=rp_name,
        user_id=str(user.pk).encode(),
        user_name=user.email,
        user_display_name=user.get_full_name() or user.email,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
    )
    return options_to_json(options), options.challenge


@transaction.atomic
def webauthn_credential_register(
    *, actor: User, user: User, name: str, response: str, challenge: bytes, rp_id: str, origin: str
) -> list[str]:
    """Keep the key the browser just created, once its answer verifies. Returns new recovery codes
    when this is the account's first second factor (else an empty list)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    try:
        verified = verify_registration_response(
            credential=response, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin
        )
        transports = json.loads(response).get("response", {}).get("transports", [])
    except (WebAuthnException, ValueError, AttributeError, KeyError, TypeError) as error:
        raise ValidationError(REFUSED) from error
    first = not second_factor_enrolled(user)
    credential = WebAuthnCredential.objects.create(
        user=user,
        name=(name.strip() or "Clé de sécurité")[:100],
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[str(t) for t in transports if isinstance(t, str)][:10],
    )
    audit_record(
        actor=actor, action=AuditAction.SECOND_FACTOR_WEBAUTHN_ADD, target=user, details={"key": credential.name}
    )
    return recovery_codes_replace(user) if first or not RecoveryCode.objects.filter(user=user).exists() else []


def authentication_options(*, user: User, rp_id: str) -> tuple[str, bytes]:
    options = generate_authentication_options(
        rp_id=rp_id, allow_credentials=_descriptors(user), user_verification=UserVerificationRequirement.PREFERRED
    )
    return options_to_json(options), options.challenge


@transaction.atomic
def webauthn_credential_verify(*, user: User, response: str, challenge: bytes, rp_id: str, origin: str) -> bool:
    """Whether the browser's answer is a signature of the challenge by one of the person's keys; the
    key's counter moves on (a cloned key whose counter goes back is refused by py_webauthn)."""
    try:
        credential_id = json.loads(response)["id"]
    except (ValueError, KeyError, TypeError):
        return False
    credential = WebAuthnCredential.objects.select_for_update().filter(user=user, credential_id=credential_id).first()
    if credential is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=bytes(credential.public_key),
            credential_current_sign_count=credential.sign_count,
        )
    except (WebAuthnException, ValueError, AttributeError, KeyError, TypeError):
        return False
    credential.sign_count = verified.new_sign_count
    credential.last_used_at = timezone.now()
    credential.save(update_fields=["sign_count", "last_used_at", "updated_at"])
    return True
