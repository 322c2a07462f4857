"""What the benchmarks that run against a real server share: their PostgreSQL databases, the
environment of their child processes (bench/load_settings.py) and gunicorn."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/3"
WORKERS = 2


def psql(sql: str, database: str = "postgres"):
    """Runs one statement (outside a transaction); its rows, if it returns some."""
    import psycopg

    with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as connection:
        cursor = connection.execute(sql)
        return cursor.fetchall() if cursor.description else []


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def postgresql_ready() -> bool:
    return listening(5432)


def database_exists(name: str) -> bool:
    return bool(psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))  # noqa: S608 (our own constants)


def database_recreate(name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")


def environment(database: str, setup_file: Path | None = None) -> dict[str, str]:
    """The environment of a child process that runs Django on the benchmarks' server settings."""
    variables = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.load_settings", PYTHONPATH=str(ROOT))
    variables["BENCH_DATABASE_URL"] = f"{SERVER}/{database}"
    if listening(6379):  # sessions read from Redis, as in production (config/settings/base.py)
        variables["GUICHET_REDIS_URL"] = REDIS
    else:
        variables.pop("GUICHET_REDIS_URL", None)
    if setup_file is not None:
        variables["BENCH_LOAD_SETUP"] = str(setup_file)
    return variables


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_start(
    port: int,
    *,
    database: str,
    threads: int = 1,
    request_stats: Path | None = None,
    clients: int | None = None,
) -> subprocess.Popen:
    """gunicorn with WORKERS threaded workers on `database`, once it answers. With `request_stats`,
    each worker writes what each request cost it in that folder (bench/request_stats.py). With
    `clients`, the number of connections that the load generator keeps open, each worker takes its
    share of them and no more (see below)."""
    # Threaded workers keep the clients' connections open between requests (keep-alive). A gthread
    # worker accepts connections whether or not its thread is free: when the load generator's users
    # connect at once, one worker could take them all and serve them on one core for the whole
    # phase while the other idled (the "stalled" runs of issue 22, ~1.1 of 2 cores used). Each
    # worker takes at most its share of the clients' connections; the others wait for the next.
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(WORKERS)]
    command += ["--worker-class", "gthread", "--threads", str(threads)]
    if clients is not None:
        command += ["--worker-connections", str(-(-clients // WORKERS))]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"]
    variables = environment(database)
    if request_stats is not None:
        variables["BENCH_REQUEST_STATS"] = str(request_stats)
    server = subprocess.Popen(command, cwd=ROOT, env=variables)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__bench__/bare/", timeout=2).read()  # noqa: S310
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn stopped at start") from None
            time.sleep(0.3)
    server_stop(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def server_stop(server: subprocess.Popen) -> None:
    """gunicorn stopped: gracefully, or killed when it takes longer than 30 seconds (on a loaded
    machine its workers may not finish in time; the figures are taken already)."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


class KeptDatabase:
    """A benchmark's PostgreSQL database per scale, generated once and reused while its marker
    table says that it holds the same count from the same generator version. The work that needs
    Django runs in a child process of the benchmark's module (`python -m <module> --database …`),
    on the benchmarks' server settings."""

    def __init__(self, *, module: str, label: str, marker: str, version: int):
        self.module, self.label, self.marker, self.version = module, label, marker, version

    def say(self, text: str) -> None:
        print(f"{self.label}: {text}", file=sys.stderr, flush=True)

    def reusable(self, database: str, count: int) -> bool:
        if not database_exists(database):
            return False
        if not psql(f"SELECT to_regclass('{self.marker}') IS NOT NULL", database)[0][0]:
            return False
        return psql(f"SELECT count, version FROM {self.marker}", database) == [(count, self.version)]  # noqa: S608

    def child(self, database: str, *arguments: str) -> None:
        command = [sys.executable, "-m", self.module, "--database", database, *arguments]
        subprocess.run(command, cwd=ROOT, env=environment(database), check=True)  # noqa: S603

    def prepare(self, database: str, count: int) -> float | None:
        """The database, ready (migrated); the seconds its data took to generate (None when reused)."""
        if self.reusable(database, count):
            self.say(f"reusing {database} ({count:,} dossiers already there)")
            self.child(database, "--migrate")
            return None
        self.say(f"generating {count:,} dossiers in {database}…")
        database_recreate(database)
        started = time.monotonic()
        self.child(database, "--generate", str(count))
        return time.monotonic() - started

    @staticmethod
    def migrate_here(*, demo: bool = False) -> None:
        """In the child: the schema up to date, and the demo when the data is about to be generated."""
        import io

        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        if demo:
            call_command("demo", "--quiet-accounts", stdout=io.StringIO())

    def mark_here(self, count: int) -> None:
        """In the child, once the data is there: what makes it reusable."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {self.marker} (count integer, version integer)")
            cursor.execute(f"INSERT INTO {self.marker} VALUES (%s, %s)", [count, self.version])  # noqa: S608
