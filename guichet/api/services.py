"""Writes of the API's own records: people's keys."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction

from .models import ApiToken

KEY_PREFIX = "gch_"
TOKENS_PER_PERSON = 20
# The last use is written at most this often: not a write per call.
LAST_USE_PRECISION = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenMade:
    token: ApiToken
    key: str  # shown once, never stored


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> TokenMade:
    """A new key for `actor`, named `name`. ValueError with a message for them when the name is
    empty or when they hold too many keys already."""
    name = name.strip()
    if not name:
        raise ValueError("Donnez un nom à la clé, pour la reconnaître (par exemple, le logiciel qui l’utilise).")
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= TOKENS_PER_PERSON:
        raise ValueError(f"Vous avez déjà {TOKENS_PER_PERSON} clés actives : révoquez celles qui ne servent plus.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name[:100], prefix=key[:12], key_sha256=api_key_digest(key))
    audit_record(actor=actor, action=AuditAction.API_TOKEN_CREATE, target=token, details={"name": token.name})
    return TokenMade(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    """The key stops working at once. Revoking it twice changes nothing."""
    updated = ApiToken.objects.filter(pk=token.pk, user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        audit_record(actor=actor, action=AuditAction.API_TOKEN_REVOKE, target=token, details={"name": token.name})


def api_token_authenticate(key: str) -> User | None:
    """The active person whose key this is, or None (unknown, revoked, or their account closed).
    Records when the key was last used (to the nearest LAST_USE_PRECISION)."""
    token = api_token_find(key)
    return token.user if token is not None else None


def api_token_find(key: str) -> ApiToken | None:
    """The valid key (its person read with it), or None; as api_token_authenticate."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=api_key_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
