"""Standard Webhooks signatures (spec v1.0.0): `webhook-signature: v1,<base64 HMAC-SHA256>` of
`"{id}.{timestamp}.{body}"`, keyed with the bytes that the `whsec_` secret encodes in base64.
Several signatures, space-separated, while a secret is being rotated: a receiver that knows either
secret accepts the message."""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"  # noqa: S105 (the spec's prefix, not a secret)
SECRET_BYTES = 32  # the spec asks for 24 to 64 random bytes


def secret_generate() -> str:
    """A new endpoint secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key that a `whsec_` secret stands for."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("A webhook secret starts with whsec_.")
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    if not key:
        raise ValueError("A webhook secret may not be empty.")
    return key


def signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256>` of the message as the spec signs it."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(*, secrets_: Iterable[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: one signature per secret (the current one first)."""
    return " ".join(signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets_)
