"""What every archival target checks of a package before handing it over: a file name that is safe
anywhere, and bytes that match the digest the package was built with."""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .base import ConnectorRejected

SIP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
CHUNK = 1024 * 1024


def sip_name_check(sip_name: str) -> str:
    """`sip_name`, when it is a plain file name (no folder, no leading dot); ValueError otherwise:
    the name is chosen by Guichet's code, never by a person."""
    if not SIP_NAME.fullmatch(sip_name):
        raise ValueError(f"Unsafe SIP name {sip_name!r}: letters, digits, '.', '-' and '_' only")
    return sip_name


@contextmanager
def sip_open(sip: Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """The package as a binary stream, positioned where the caller left it (a stream) or at its
    start (a path); a path's file is closed afterwards, a stream is left open."""
    if isinstance(sip, str | Path):
        with open(sip, "rb") as stream:
            yield stream
    else:
        yield sip


def sip_digest_check(stream: IO[bytes], sha512: str) -> None:
    """Read `stream` to its end and back: ConnectorRejected when it does not match `sha512`, so that
    a package damaged since it was built is never archived as if it were the right one."""
    start = stream.tell()
    digest = hashlib.sha512()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    stream.seek(start)
    if digest.hexdigest() != sha512.lower():
        raise ConnectorRejected(
            f"Le paquet ne correspond pas à son empreinte SHA-512 (attendue {sha512}, lue {digest.hexdigest()})"
        )
