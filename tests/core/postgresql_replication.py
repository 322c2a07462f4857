"""A real PostgreSQL primary and its streaming replica, started for a test on free ports of the
loopback: a throwaway cluster (initdb in a temporary folder, so that the machine's own cluster is
neither read nor restarted) and a copy of it made by `pg_basebackup -R`, which replays its WAL. As
root, the servers run as the `postgres` system user (PostgreSQL refuses to run as root)."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.apps import apps
from django.db import connections

from config.settings.base import database_settings, replica_settings

BIN = Path("/usr/lib/postgresql/15/bin")
TOOLS = ("initdb", "pg_ctl", "pg_basebackup")


def server_binaries_missing() -> str:
    """Why the pair cannot be started here ("" when it can)."""
    missing = [tool for tool in TOOLS if not (BIN / tool).exists()]
    return f"PostgreSQL server binaries absent: {', '.join(str(BIN / tool) for tool in missing)}" if missing else ""


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class StreamingPair:
    primary_port: int
    replica_port: int

    def url(self, port: int, database: str = "guichet") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)


@contextmanager
def streaming_pair_started(database: str = "guichet") -> Iterator[StreamingPair]:
    """Start the primary (with `database` created) and its replica; stop both and remove them after."""
    folder = Path(tempfile.mkdtemp(prefix="guichet-replication-"))
    as_root = os.geteuid() == 0
    user = "postgres" if as_root else None
    if as_root:
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)

    def run(*command: str) -> None:
        subprocess.run(command, check=True, capture_output=True, user=user, timeout=60)  # noqa: S603

    primary, replica = folder / "primary", folder / "replica"
    pair = StreamingPair(_free_port(), _free_port())
    # Durability is of no use to a cluster thrown away after the test.
    options = (
        f"-c listen_addresses=127.0.0.1 -k {folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    started: list[Path] = []

    def start(data: Path, port: int) -> None:
        log = folder / f"{data.name}.log"
        run(str(BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", f"-p {port} {options}", "start")
        started.append(data)

    try:
        # initdb's pg_hba.conf trusts local connections, replication ones included.
        run(str(BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N")
        start(primary, pair.primary_port)
        with psycopg.connect(pair.url(pair.primary_port, "postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        # -R: the copy starts as a standby of the primary (standby.signal, primary_conninfo).
        copy = ("-D", str(replica), "-R", "-X", "stream", "--checkpoint=fast", "-N")
        run(str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres", *copy)
        start(replica, pair.replica_port)
        yield pair
    finally:
        for data in reversed(started):
            subprocess.run(  # noqa: S603
                [str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                user=user,
                timeout=60,
            )
        shutil.rmtree(folder, ignore_errors=True)


def wait_until(condition, *, seconds: float = 10.0) -> bool:
    """Poll `condition` until it holds (True) or `seconds` have passed (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@contextmanager
def django_databases_at(primary_url: str, replica_url: str) -> Iterator[None]:
    """Within the block, Django's "default" is the pair's primary and "replica1" its replica, as
    configured from GUICHET_DATABASE_REPLICAS (config/settings/base.py); the test database's
    connections come back after it."""
    aliases = ("default", "replica1")
    saved_settings = connections.settings
    saved = {alias: connections[alias] for alias in aliases}
    configured = connections.configure_settings(
        {"default": database_settings(primary_url), "replica1": replica_settings(replica_url)}
    )
    connections.settings = {**saved_settings, **configured}
    try:
        for alias in aliases:
            connections[alias] = connections.create_connection(alias)
        yield
    finally:
        for alias in aliases:
            connections[alias].close()
            connections[alias] = saved[alias]
        connections.settings = saved_settings


def schema_created() -> None:
    """Every model's table on the primary, straight from the models (a fraction of the time of the
    migrations; the replica receives them by replication)."""
    connection = connections["default"]
    with connection.cursor() as cursor:
        for extension in ("pg_trgm", "unaccent", "btree_gin"):
            cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
