"""A real ClamAV daemon for the tests: Debian's clamd, with a database of one signature (the EICAR
test file's bytes, found anywhere in a file: no download), listening on a Unix socket and a free TCP port."""

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.samples import EICAR

CLAMD = Path("/usr/sbin/clamd")
SIGNATURE = "Guichet.Test.EICAR"
FOUND = f"{SIGNATURE}.UNOFFICIAL"  # how clamd names a signature of a local database


@dataclass(frozen=True)
class Clamd:
    tcp: str  # tcp://127.0.0.1:port
    unix: str  # unix:///…/clamd.sock


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def clamd_started(folder: Path, *, stream_max_length: str = "100M") -> Iterator[Clamd]:
    executable = CLAMD if CLAMD.exists() else shutil.which("clamd")
    if not executable:
        pytest.skip("clamd is missing (Debian: clamav-daemon); scripts/system-packages test installs it")
    database = folder / "db"
    database.mkdir()
    # An extended signature (.ndb): name, any file type (0), at any offset (*), the bytes in hex.
    (database / "guichet.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    port, sock = free_port(), folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        "Foreground yes\n"
        f"DatabaseDirectory {database}\n"
        f"LocalSocket {sock}\n"
        "TCPAddr 127.0.0.1\n"
        f"TCPSocket {port}\n"
        f"LogFile {folder / 'clamd.log'}\n"
        f"StreamMaxLength {stream_max_length}\n"
    )
    with (folder / "clamd.err").open("wb") as errors:
        process = subprocess.Popen([str(executable), "-c", str(config)], stdout=subprocess.DEVNULL, stderr=errors)  # noqa: S603
    try:
        _wait_ready(port, process, folder)
        yield Clamd(tcp=f"tcp://127.0.0.1:{port}", unix=f"unix://{sock}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(port: int, process: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
            raise RuntimeError(f"clamd stopped at start-up: {(folder / 'clamd.err').read_text()} {log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"zPING\0")
            if connection.recv(16).startswith(b"PONG"):
                return
        time.sleep(0.1)
    raise RuntimeError("clamd did not answer PING within 60 s")


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A TCP server that takes connections and never answers: a clamd that hangs."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
