"""Several nodes on one machine, as production lays them out (docs/operations.md): web nodes
(gunicorn), workers (`manage.py db_worker`) and the loops that take up what a dead worker left
(`manage.py followups_resume`, `manage.py tasks_recover`),
sharing one PostgreSQL database, one Redis database and one S3 bucket, behind a round-robin proxy
(proxy.py). Used by the multi-node test (tests/multinode/test_nodes.py) and the soak
(bench/soak.py).

Each process runs in a process group of its own: killing a web node kills gunicorn's master and its
workers at once, as a machine lost would."""

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil

from .proxy import RoundRobinProxy

ROOT = Path(__file__).resolve().parent.parent.parent
SETTINGS = "tests.multinode.node_settings"
REDIS_URL = os.environ.get("GUICHET_MULTINODE_REDIS_URL", "redis://127.0.0.1:6379/9")
# The file backend ends each email with a line of 79 dashes (django.core.mail.backends.filebased).
EMAIL_END = b"\n" + b"-" * 79 + b"\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def database_url(settings_dict: dict) -> str:
    """The URL (DATABASE_URL) of a Django database's settings: the test's, for its child processes."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def redis_flushed(url: str = REDIS_URL) -> str:
    """The cluster's Redis database, emptied (a dedicated number: nothing else lives there)."""
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@dataclass
class Node:
    """One process of the cluster, started again with the same command after it is killed."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    process: subprocess.Popen | None = None
    starts: int = 0

    def start(self) -> "Node":
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (our own command)
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.starts += 1
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL to the node's whole process group: nothing it held in memory survives."""
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, then SIGKILL after `timeout` seconds; the exit code."""
        if not self.alive():
            return self.process.returncode if self.process else None
        self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.returncode

    def wait_ready(self, timeout: float = 90) -> None:
        """A web node: until it answers /sante/vivant (the others have nothing to wait for)."""
        if self.port is None:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} stopped at start: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/sante/vivant", timeout=2).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s")

    def memory_mb(self) -> float:
        """The resident memory of the node's processes (gunicorn's master and workers together)."""
        try:
            root = psutil.Process(self.process.pid)
            processes = [root, *root.children(recursive=True)]
            return sum(process.memory_info().rss for process in processes) / 2**20
        except psutil.NoSuchProcess:
            return 0.0


@dataclass
class ClusterLayout:
    web_nodes: int = 2
    gunicorn_workers: int = 2
    threads: int = 2
    workers: int = 2
    resume_every: int = 1  # seconds between two rounds of followups_resume
    # A short lease and grace, so that a killed worker's chain is taken up within seconds (60 each
    # in production: config/settings/base.py).
    lease_seconds: int = 15
    grace_seconds: int = 3
    # A killed worker's task is put back in the queue this long after it started (30 in production).
    recover_grace_seconds: int = 3
    graceful_timeout: int = 30


@dataclass
class Cluster:
    database_url: str
    bucket: dict
    workdir: Path
    layout: ClusterLayout = field(default_factory=ClusterLayout)
    redis_url: str = REDIS_URL
    web: list[Node] = field(default_factory=list)
    workers: list[Node] = field(default_factory=list)
    loops: list[Node] = field(default_factory=list)
    proxy: RoundRobinProxy | None = None

    @property
    def email_dir(self) -> Path:
        return self.workdir / "emails"

    def environment(self) -> dict[str, str]:
        variables = {
            key: value for key, value in os.environ.items() if not key.startswith(("GUICHET_", "DJANGO_", "PYTEST"))
        }
        variables.pop("GUICHET_TEST_STORAGE", None)
        variables.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            PYTHONPATH=str(ROOT),
            DATABASE_URL=self.database_url,
            GUICHET_REDIS_URL=self.redis_url,
            GUICHET_S3_BUCKET=self.bucket["bucket"],
            GUICHET_S3_ENDPOINT=self.bucket["endpoint"],
            GUICHET_S3_REGION=self.bucket["region"],
            GUICHET_S3_ACCESS_KEY=self.bucket["access_key"],
            GUICHET_S3_SECRET_KEY=self.bucket["secret_key"],
            EMAIL_FILE_PATH=str(self.email_dir),
            GUICHET_FOLLOWUP_LEASE_SECONDS=str(self.layout.lease_seconds),
            GUICHET_FOLLOWUP_RESUME_GRACE_SECONDS=str(self.layout.grace_seconds),
            GUICHET_TASKS_RECOVER_GRACE_SECONDS=str(self.layout.recover_grace_seconds),
            # The development seal authority and fonts of this checkout, made once for every node.
            GUICHET_VAR_DIR=str(ROOT / "var"),
            GUICHET_SITE_URL="http://127.0.0.1",
        )
        return variables

    def _node(self, name: str, argv: list[str], port: int | None = None) -> Node:
        return Node(name, argv, self.environment(), self.workdir / f"{name}.log", port=port)

    def build(self) -> "Cluster":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.email_dir.mkdir(exist_ok=True)
        layout = self.layout
        for index in range(layout.web_nodes):
            port = free_port()
            command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            command += ["--workers", str(layout.gunicorn_workers), "--worker-class", "gthread"]
            command += ["--threads", str(layout.threads), "--timeout", "120"]
            command += ["--graceful-timeout", str(layout.graceful_timeout), "--log-level", "warning"]
            self.web.append(self._node(f"web{index}", command, port))
        for index in range(layout.workers):
            command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2"]
            command += ["--no-startup-delay", "--no-reload", "--worker-id", f"worker{index}", "-v", "0"]
            self.workers.append(self._node(f"worker{index}", command))
        for loop in ("followups_resume", "tasks_recover"):
            command = [sys.executable, "manage.py", loop, "--every", str(layout.resume_every)]
            self.loops.append(self._node(loop, command))
        return self

    @property
    def nodes(self) -> list[Node]:
        return [*self.web, *self.workers, *self.loops]

    def start(self) -> "Cluster":
        for node in self.nodes:
            node.start()
        for node in self.web:
            node.wait_ready()
        self.proxy = RoundRobinProxy([node.port for node in self.web]).start()
        deadline = time.monotonic() + 30
        while not all(backend.up for backend in self.proxy.backends):
            if time.monotonic() > deadline:
                raise RuntimeError("the nodes never answered /sante/pret: " + self.logs())
            time.sleep(0.2)
        self.check_alive()
        return self

    def check_alive(self) -> None:
        """Every node still runs (none stopped on an error of its own)."""
        stopped = [node.name for node in self.nodes if not node.alive()]
        if stopped:
            raise RuntimeError(f"stopped: {', '.join(stopped)}\n{self.logs()}")

    def restart(self, node: Node) -> None:
        node.start()
        node.wait_ready()

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        running = [node for node in self.nodes if node.alive()]
        for node in running:  # all at once, as a machine shut down: each finishes what it does
            node.signal(signal.SIGTERM)
        for node in running:
            node.stop(timeout=self.layout.graceful_timeout + 5)

    def logs(self) -> str:
        return "\n".join(f"--- {node.name}\n{node.log.read_text()[-3000:]}" for node in self.nodes if node.log.exists())

    def emails(self) -> list[email.message.EmailMessage]:
        """Every email the nodes wrote (one file per email sent)."""
        messages = []
        for path in sorted(self.email_dir.iterdir()):
            for raw in path.read_bytes().split(EMAIL_END):
                if raw.strip():
                    messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        return messages
