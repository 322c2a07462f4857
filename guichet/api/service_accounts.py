"""Writes of service accounts and their tokens (`gcs_…`), and the check of a service token at each
call. Only the organisation's administrators (« Administrateur des démarches ») manage its
accounts; every write is audited. A token is shown once, when it is made: only its SHA-256 is kept."""

import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import Organisation, User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.observatory.selectors import organisation_subtree_ids
from guichet.procedures.models import Procedure

from .models import ServiceAccount, ServiceToken
from .scopes import scopes_valid
from .selectors import organisation_ids_managing_service_accounts
from .services import api_key_digest

SERVICE_KEY_PREFIX = "gcs_"
TOKENS_PER_ACCOUNT = 5
ADDRESSES_PER_ACCOUNT = 50
DEFAULT_OVERLAP = timedelta(hours=24)
# The last use is written at most this often: not a write per call.
LAST_USE_PRECISION = timedelta(minutes=1)


class ServiceAccountInvalid(ValueError):
    """What the administrator asked cannot be done; the message says why, in French."""


class ClientAddressRefused(Exception):
    """The token is valid but the call comes from an address its account does not allow."""


@dataclass(frozen=True)
class ServiceTokenMade:
    token: ServiceToken
    key: str  # shown once, never stored


def _check_administrator(actor: User, organisation: Organisation) -> None:
    if organisation.pk not in organisation_ids_managing_service_accounts(actor):
        raise PermissionDenied("Seuls les administrateurs des démarches de l’organisation gèrent ses comptes.")


def addresses_parse(values: Iterable[str]) -> list[str]:
    """The allowed client addresses, each an IP address or a network (CIDR, « 192.0.2.0/24 »),
    normalised; ServiceAccountInvalid naming the first one that is neither."""
    parsed: list[str] = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ServiceAccountInvalid(
                f"« {value[:60]} » n’est ni une adresse IP (par exemple 192.0.2.10 ou 2001:db8::1) ni un réseau "
                "(par exemple 192.0.2.0/24)."
            ) from None
        text = str(network.network_address) if network.num_addresses == 1 else str(network)
        if text not in parsed:
            parsed.append(text)
    if len(parsed) > ADDRESSES_PER_ACCOUNT:
        raise ServiceAccountInvalid(f"Indiquez au plus {ADDRESSES_PER_ACCOUNT} adresses ou réseaux.")
    return parsed


def address_allowed(account: ServiceAccount, address: str) -> bool:
    """Whether a call from `address` is allowed (no address listed: any)."""
    if not account.allowed_addresses:
        return True
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped is not None:
        client = client.ipv4_mapped
    for allowed in account.allowed_addresses:
        network = ipaddress.ip_network(allowed, strict=False)
        if client.version == network.version and client in network:
            return True
    return False


def _checked(
    *, organisation: Organisation, name: str, scopes: Iterable[str], procedures: Iterable[Procedure], addresses
) -> tuple[str, list[str], list[Procedure], list[str]]:
    name = " ".join(name.split())
    if not name:
        raise ServiceAccountInvalid("Donnez un nom au compte de service (par exemple, le logiciel qui l’utilise).")
    if len(name) > 100:
        raise ServiceAccountInvalid("Le nom du compte de service doit faire au plus 100 caractères.")
    try:
        scope_values = scopes_valid(scopes)
    except ValueError as error:
        raise ServiceAccountInvalid(str(error)) from None
    if not scope_values:
        raise ServiceAccountInvalid("Cochez au moins un droit : sans droit, le compte ne pourrait rien faire.")
    procedures = list(procedures)
    tree = organisation_subtree_ids({organisation.pk})
    foreign = [procedure for procedure in procedures if procedure.organisation_id not in tree]
    if foreign:
        raise ServiceAccountInvalid(f"La démarche « {foreign[0].title} » n’appartient pas à l’organisation.")
    return name, scope_values, procedures, addresses_parse(addresses)


@transaction.atomic
def service_account_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    scopes: Iterable[str],
    procedures: Iterable[Procedure] = (),
    allowed_addresses: Iterable[str] = (),
) -> ServiceAccount:
    """A new service account of `organisation`, without a token yet (service_token_create makes one).
    No procedure: every procedure of the organisation and of its sub-organisations, those to come too."""
    _check_administrator(actor, organisation)
    name, scope_values, procedures, addresses = _checked(
        organisation=organisation, name=name, scopes=scopes, procedures=procedures, addresses=allowed_addresses
    )
    account = ServiceAccount.objects.create(
        organisation=organisation, name=name, scopes=scope_values, allowed_addresses=addresses, created_by=actor
    )
    account.procedures.set(procedures)
    audit_record(
        actor=actor,
        action=AuditAction.SERVICE_ACCOUNT_CREATE,
        target=account,
        details={
            "name": name,
            "organisation": organisation.pk,
            "scopes": scope_values,
            "procedures": sorted(procedure.pk for procedure in procedures),
            "allowed_addresses": addresses,
        },
    )
    return account


@transaction.atomic
def service_account_update(
    *,
    actor: User,
    account: ServiceAccount,
    name: str,
    scopes: Iterable[str],
    procedures: Iterable[Procedure] = (),
    allowed_addresses: Iterable[str] = (),
) -> ServiceAccount:
    """Change what the account may do; its tokens keep working with the new rights at their next call."""
    _check_administrator(actor, account.organisation)
    if account.revoked_at is not None:
        raise ServiceAccountInvalid("Ce compte de service est révoqué : il ne peut plus être modifié.")
    name, scope_values, procedures, addresses = _checked(
        organisation=account.organisation,
        name=name,
        scopes=scopes,
        procedures=procedures,
        addresses=allowed_addresses,
    )
    account.name, account.scopes, account.allowed_addresses = name, scope_values, addresses
    account.save(update_fields=["name", "scopes", "allowed_addresses"])
    account.procedures.set(procedures)
    audit_record(
        actor=actor,
        action=AuditAction.SERVICE_ACCOUNT_UPDATE,
        target=account,
        details={
            "name": name,
            "scopes": scope_values,
            "procedures": sorted(procedure.pk for procedure in procedures),
            "allowed_addresses": addresses,
        },
    )
    return account


@transaction.atomic
def service_account_revoke(*, actor: User, account: ServiceAccount) -> None:
    """The account and every token of it stop working at once. Twice changes nothing."""
    _check_administrator(actor, account.organisation)
    now = timezone.now()
    updated = ServiceAccount.objects.filter(pk=account.pk, revoked_at__isnull=True).update(revoked_at=now)
    if not updated:
        return
    account.revoked_at = now
    ServiceToken.objects.filter(account=account, revoked_at__isnull=True).update(revoked_at=now)
    audit_record(actor=actor, action=AuditAction.SERVICE_ACCOUNT_REVOKE, target=account, details={"name": account.name})


def _token_make(account: ServiceAccount, expires_at: datetime | None, key: str | None = None) -> ServiceTokenMade:
    key = key or SERVICE_KEY_PREFIX + secrets.token_urlsafe(32)
    token = ServiceToken.objects.create(
        account=account, prefix=key[:12], key_sha256=api_key_digest(key), expires_at=expires_at
    )
    return ServiceTokenMade(token=token, key=key)


def _active_tokens(account: ServiceAccount):
    now = timezone.now()
    return ServiceToken.objects.filter(account=account, revoked_at__isnull=True).exclude(expires_at__lte=now)


@transaction.atomic
def service_token_create(
    *, actor: User, account: ServiceAccount, expires_at: datetime | None = None, key: str | None = None
) -> ServiceTokenMade:
    """A new token for the account; its key is in the result, to be shown once. `key` is for the
    demonstration's published key only (guichet/demo): real keys are always drawn at random here."""
    _check_administrator(actor, account.organisation)
    if key is not None and not (key.startswith(SERVICE_KEY_PREFIX) and len(key) >= 40):
        raise ServiceAccountInvalid("Une clé choisie commence par gcs_ et compte au moins 40 caractères.")
    ServiceAccount.objects.select_for_update().filter(pk=account.pk).first()  # one token at a time per account
    if account.revoked_at is not None:
        raise ServiceAccountInvalid("Ce compte de service est révoqué : il ne peut plus recevoir de jeton.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceAccountInvalid("La date d’expiration du jeton doit être dans le futur.")
    if _active_tokens(account).count() >= TOKENS_PER_ACCOUNT:
        raise ServiceAccountInvalid(
            f"Ce compte a déjà {TOKENS_PER_ACCOUNT} jetons actifs : révoquez ceux qui ne servent plus."
        )
    made = _token_make(account, expires_at, key)
    audit_record(
        actor=actor,
        action=AuditAction.SERVICE_TOKEN_CREATE,
        target=made.token,
        details={"account": account.pk, "prefix": made.token.prefix, "expires_at": expires_at},
    )
    return made


@transaction.atomic
def service_token_rotate(*, actor: User, token: ServiceToken, overlap: timedelta = DEFAULT_OVERLAP) -> ServiceTokenMade:
    """A new token replacing `token`, which keeps working for `overlap` (24 hours by default) so that
    the software can switch to the new one without a gap; the new one keeps the old one's expiry, if
    later. The old one's expiry only comes closer, never further."""
    account = token.account
    _check_administrator(actor, account.organisation)
    locked = ServiceToken.objects.select_for_update().get(pk=token.pk)
    now = timezone.now()
    if account.revoked_at is not None or locked.revoked_at is not None:
        raise ServiceAccountInvalid("Ce jeton est révoqué : faites-en un nouveau plutôt que de le renouveler.")
    if locked.expires_at is not None and locked.expires_at <= now:
        raise ServiceAccountInvalid("Ce jeton a déjà expiré : faites-en un nouveau plutôt que de le renouveler.")
    if overlap < timedelta(0):
        raise ServiceAccountInvalid("La durée de chevauchement ne peut pas être négative.")
    old_until = now + overlap
    if locked.expires_at is None or locked.expires_at > old_until:
        locked.expires_at = old_until
        locked.save(update_fields=["expires_at"])
    token.expires_at = locked.expires_at
    made = _token_make(account, None)
    audit_record(
        actor=actor,
        action=AuditAction.SERVICE_TOKEN_ROTATE,
        target=made.token,
        details={
            "account": account.pk,
            "replaces": locked.pk,
            "prefix": made.token.prefix,
            "old_expires_at": locked.expires_at,
        },
    )
    return made


@transaction.atomic
def service_token_revoke(*, actor: User, token: ServiceToken) -> None:
    """The token stops working at once. Twice changes nothing."""
    _check_administrator(actor, token.account.organisation)
    now = timezone.now()
    if ServiceToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        audit_record(
            actor=actor,
            action=AuditAction.SERVICE_TOKEN_REVOKE,
            target=token,
            details={"account": token.account_id, "prefix": token.prefix},
        )


def service_token_authenticate(key: str, *, client_address: str) -> ServiceToken | None:
    """The valid token whose key this is, its account read with it; None when unknown, expired,
    revoked or its account revoked. ClientAddressRefused when the account does not allow the
    client's address. Records the last use at most once a minute."""
    if not key.startswith(SERVICE_KEY_PREFIX) or len(key) > 100:
        return None
    now = timezone.now()
    token = (
        ServiceToken.objects.select_related("account", "account__organisation")
        .filter(key_sha256=api_key_digest(key), revoked_at__isnull=True, account__revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
        .first()
    )
    if token is None:
        return None
    if not address_allowed(token.account, client_address):
        raise ClientAddressRefused(client_address)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        ServiceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
