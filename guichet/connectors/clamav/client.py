"""clamd's INSTREAM command, as its manual (clamd(8)) documents it: `zINSTREAM\0`, then the file
in chunks, each preceded by its length on four bytes (big-endian), then a chunk of length zero;
clamd answers `stream: OK`, `stream: <signature> FOUND` or `<reason> ERROR`, ended by a NUL byte.
A stream longer than clamd's StreamMaxLength is answered `INSTREAM size limit exceeded. ERROR` as
soon as the limit is passed, and the connection is closed while the rest is still being sent."""

import socket
import struct
from dataclasses import dataclass
from typing import IO

from ..base import ConnectorRejected, ConnectorTimeout, ConnectorUnavailable, ScanTooLarge

_CHUNK = 64 * 1024
_MAX_REPLY = 4096


@dataclass(frozen=True)
class ClamdAddress:
    """Where clamd listens: a Unix socket's path, or a TCP host and port."""

    path: str = ""
    host: str = ""
    port: int = 0

    @classmethod
    def parse(cls, text: str) -> "ClamdAddress":
        """`unix:///run/clamav/clamd.ctl`, `/run/clamav/clamd.ctl`, `tcp://127.0.0.1:3310` or `127.0.0.1:3310`."""
        text = text.strip()
        if text.startswith("unix://"):
            return cls(path=text.removeprefix("unix://"))
        if text.startswith("/"):
            return cls(path=text)
        host, _, port = text.removeprefix("tcp://").rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"clamd address {text!r}: expected unix:///path or tcp://host:port")
        return cls(host=host.strip("[]"), port=int(port))

    def __str__(self) -> str:
        return f"unix://{self.path}" if self.path else f"tcp://{self.host}:{self.port}"


def clamd_instream(address: ClamdAddress, stream: IO[bytes], *, timeout: float) -> str | None:
    """What clamd found in `stream` (a signature's name), or None when it found nothing."""
    try:
        with _connect(address, timeout) as connection:
            connection.sendall(b"zINSTREAM\0")
            stream.seek(0)
            cut = False
            try:
                while chunk := stream.read(_CHUNK):
                    connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                connection.sendall(struct.pack("!L", 0))
            except (BrokenPipeError, ConnectionResetError):
                # clamd stopped reading (its size limit): its answer, already sent, says why.
                cut = True
            try:
                reply = _read_reply(connection)
            except ConnectionResetError:
                if not cut:
                    raise
                reply = ""
            if cut and not reply:
                raise ConnectorUnavailable(f"clamd at {address} closed the connection before the whole file was sent")
    except TimeoutError as error:
        raise ConnectorTimeout(f"clamd at {address} did not answer within {timeout} s") from error
    except OSError as error:
        raise ConnectorUnavailable(f"clamd at {address} cannot be reached: {error}") from error
    finally:
        stream.seek(0)
    return _verdict(address, reply)


def _connect(address: ClamdAddress, timeout: float) -> socket.socket:
    if address.path:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(address.path)
        except OSError:
            connection.close()
            raise
        return connection
    return socket.create_connection((address.host, address.port), timeout=timeout)


def _read_reply(connection: socket.socket) -> str:
    reply = b""
    while b"\0" not in reply and len(reply) < _MAX_REPLY:
        data = connection.recv(_MAX_REPLY)
        if not data:
            break
        reply += data
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _verdict(address: ClamdAddress, reply: str) -> str | None:
    if reply == "stream: OK":
        return None
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return reply.removeprefix("stream: ").removesuffix(" FOUND").strip() or "inconnu"
    if reply.startswith("INSTREAM size limit exceeded"):
        raise ScanTooLarge(
            f"clamd at {address} refused a file above its StreamMaxLength ({reply}): "
            "raise StreamMaxLength in clamd.conf to at least GUICHET_UPLOAD_MAX_MB"
        )
    if reply.endswith("ERROR"):
        # clamd short of resources, or an error of its own: it scanned nothing.
        raise ConnectorUnavailable(f"clamd at {address} could not scan: {reply}")
    raise ConnectorRejected(f"clamd at {address} answered something unexpected: {reply!r}")
