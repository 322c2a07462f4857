"""Values kept encrypted in the database (the shared secrets of authenticator apps): whoever reads a
copy of the database, or a backup, cannot compute a person's codes with it.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) through MultiFernet: the first key
encrypts, every key decrypts, so that keys can be rotated (`manage.py encrypted_values_rotate`
re-encrypts every value with the first one). The keys are GUICHET_ENCRYPTION_KEYS (Fernet keys,
first the current one), then keys derived (HKDF-SHA256) from SECRET_KEY and SECRET_KEY_FALLBACKS:
by default nothing more to configure, and values written before keys were set stay readable.
See docs/decisions/0018-agents-sign-in.md."""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_SALT = b"guichet.core.encryption"


class EncryptionKeyMissing(ImproperlyConfigured):
    """A value was encrypted with a key that the settings no longer give."""


def _derived_key(secret: str) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=b"database values").derive(secret.encode())
    return base64.urlsafe_b64encode(key)


def encryption_keys() -> tuple[bytes, ...]:
    """The keys, the one that encrypts first."""
    configured = [key.encode() for key in settings.GUICHET_ENCRYPTION_KEYS]
    derived = [_derived_key(secret) for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS) if secret]
    if not configured and not derived:
        raise ImproperlyConfigured("GUICHET_ENCRYPTION_KEYS or SECRET_KEY must be set to encrypt values.")
    return tuple(dict.fromkeys(configured + derived))


@cache
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        hint = "generate one with Fernet.generate_key()"
        raise ImproperlyConfigured(f"GUICHET_ENCRYPTION_KEYS: {error} ({hint})") from error


def text_encrypt(text: str) -> str:
    return _fernet(encryption_keys()).encrypt(text.encode()).decode("ascii")


def text_decrypt(token: str) -> str:
    try:
        return _fernet(encryption_keys()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as error:
        raise EncryptionKeyMissing(
            "An encrypted value cannot be decrypted with the keys of the settings (GUICHET_ENCRYPTION_KEYS, "
            "SECRET_KEY, SECRET_KEY_FALLBACKS): was a key removed before `encrypted_values_rotate` ran?"
        ) from error


def token_rotate(token: str) -> str:
    """The same value encrypted with the first key (unchanged, but for its time stamp, when it already was)."""
    try:
        return _fernet(encryption_keys()).rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise EncryptionKeyMissing("An encrypted value cannot be decrypted with the keys of the settings.") from error


class EncryptedTextField(models.TextField):
    """Text stored encrypted, read in clear. Fernet tokens differ at each encryption: such a field
    cannot be searched, filtered or made unique."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else text_decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else text_encrypt(value)
