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


def server_start(port: int, *, database: str, threads: int = 1) -> subprocess.Popen:
    """gunicorn with WORKERS threaded workers on `database`, once it answers."""
    # Threaded workers keep the clients' connections open between requests (keep-alive).
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(WORKERS)]
    command += ["--worker-class", "gthread", "--threads", str(threads)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"]
    server = subprocess.Popen(command, cwd=ROOT, env=environment(database))  # noqa: S603
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
    server.terminate()
    server.wait(timeout=30)
