"""CPU time counted during one phase of the load benchmark (bench/load.py): the server's (gunicorn's
processes), the database's (every PostgreSQL process), the load generator's (locust), and the whole
machine's, so that a phase that left cores idle (a stall) shows next to one that used them all."""

import resource
import threading
import time
from dataclasses import dataclass, field

import psutil

from bench.server import SERVER


def _seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _machine_busy() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0) - getattr(times, "steal", 0.0)


def _machine_steal() -> float:
    """Time the hypervisor gave this virtual machine's cores to others (Linux's `steal`)."""
    return getattr(psutil.cpu_times(), "steal", 0.0)


@dataclass
class CpuUse:
    """CPU seconds that each part of the measure used during one phase. With the phase's count of
    complete flows, it says what a flow costs each part; with its length, how many cores were busy."""

    server: float = 0.0
    database: float = 0.0
    # Only the connections to the benchmark's database (`database_name`): on a machine whose
    # PostgreSQL serves others too, every PostgreSQL process counts their work as well.
    backends: float = 0.0
    database_name: str = ""
    generator: float = 0.0
    machine: float = 0.0
    steal: float = 0.0
    wall: float = 0.0
    # Each gunicorn process's share (the arbiter's included): one worker far busier than the other
    # says that the clients' connections (kept alive) were shared unevenly between them.
    server_processes: list = field(default_factory=list)
    _start: dict = field(default_factory=dict, repr=False)

    def _sample(self, server: psutil.Process) -> dict:
        sample: dict = {"server": {}, "database": {}, "backends": {}}
        try:
            for process in [server, *server.children(recursive=True)]:
                sample["server"][process.pid] = _seconds(process)
        except psutil.NoSuchProcess:
            pass
        for process in psutil.process_iter(["name", "cmdline"]):
            if process.info["name"] == "postgres":
                try:
                    sample["database"][process.pid] = seconds = _seconds(process)
                except psutil.NoSuchProcess:
                    continue
                # A connection's process is titled "postgres: <user> <database> <client> <state>".
                if self.database_name and f" {self.database_name} " in " ".join(process.info["cmdline"] or ()):
                    sample["backends"][process.pid] = seconds
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust, once it has been waited for
        sample["generator"] = children.ru_utime + children.ru_stime
        sample["machine"] = _machine_busy()
        sample["steal"] = _machine_steal()
        sample["wall"] = time.monotonic()
        return sample

    def start(self, server: psutil.Process) -> None:
        self._start = self._sample(server)

    @classmethod
    def joined(cls, *uses: "CpuUse") -> "CpuUse":
        """Several phases' use as one: every part's seconds summed (the busiest worker's share from
        the sums of each rank)."""
        parts = ("server", "database", "backends", "generator", "machine", "steal", "wall")
        joined = cls(
            database_name=uses[0].database_name, **{part: sum(getattr(use, part) for use in uses) for part in parts}
        )
        ranks = max(len(use.server_processes) for use in uses)
        joined.server_processes = sorted(
            (
                sum(use.server_processes[rank] for use in uses if rank < len(use.server_processes))
                for rank in range(ranks)
            ),
            reverse=True,
        )
        return joined

    def stop(self, server: psutil.Process) -> None:
        end = self._sample(server)
        for part in ("server", "database", "backends"):
            before = self._start[part]
            used = {pid: seconds - before.get(pid, 0.0) for pid, seconds in end[part].items()}
            setattr(self, part, sum(used.values()))
            if part == "server":
                self.server_processes = sorted(used.values(), reverse=True)
        for part in ("generator", "machine", "steal", "wall"):
            setattr(self, part, end[part] - self._start[part])

    @property
    def total(self) -> float:
        return self.server + self.database + self.generator

    @property
    def cores_used(self) -> float:
        """How many cores the server, the database and the load generator kept busy together."""
        return self.total / self.wall if self.wall else 0.0

    @property
    def machine_cores_used(self) -> float:
        """How many cores the whole machine kept busy (the measure and anything else running)."""
        return self.machine / self.wall if self.wall else 0.0

    @property
    def cores_stolen(self) -> float:
        """How many cores the hypervisor kept for other machines, on average."""
        return self.steal / self.wall if self.wall else 0.0

    @property
    def busiest_worker_share(self) -> float:
        """The busiest gunicorn worker's share of the server's CPU (0.5: even between two)."""
        return self.server_processes[0] / self.server if self.server else 0.0


_WAITING = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = %s"


class LockWaits:
    """Samples, twice a second during a phase, how many of the database's connections wait for a
    lock (a row locked by another transaction: the dossier, the numbering sequence…): requests that
    queue there leave the cores idle."""

    def __init__(self, database: str):
        self.database = database  # watched from the server's own database: no connection to it
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
            while not self._stop.wait(0.5):
                (waiting,) = connection.execute(_WAITING, [self.database]).fetchone()
                self.samples.append(waiting)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def mean(self) -> float:
        return sum(self.samples) / len(self.samples) if self.samples else 0.0


def machine_python_speed() -> float:
    """The CPU time, in ms, of a fixed pure-Python workload (integer additions, a dictionary of
    texts): how fast this machine runs Python at the time of a run. The absolute figures of two
    sessions compare only through it (the same commit measured 2.5x slower on a slower host; the
    ratios to the baseline request are meant to hide that, flows per second are not)."""
    started = time.process_time()
    total = 0
    for number in range(2_000_000):
        total += number
    kept = {str(number): number for number in range(200_000)}
    assert total and kept
    return 1000 * (time.process_time() - started)
