"""Dossier submission under load: the platform served by gunicorn (2 workers) on PostgreSQL, and
locust's users (bench/locustfile.py) running the applicant's flow (bench/flow.py) against it.

Three phases, after a warm-up, on the same server in the same run:
- baseline: a signed-in POST that inserts one row (bench/urls.py), as fast as the users can;
- flow: the whole flow (start, four pages of answers with two attachments, submit, confirmation);
- submit: only the submission, of drafts prepared beforehand (bench/load_data.py).

Besides throughput and latency, the CPU time that the server (gunicorn), the database (PostgreSQL)
and the load generator (locust) spend per complete flow, and what that allows at most on this
machine's cores: all three share them here.

`python -m bench.load` runs it alone; `make bench` runs it after the in-process figures. The
database `guichet_bench` is dropped and created again at each run."""

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.server import ROOT, database_recreate, environment, free_port, postgresql_ready, server_start, server_stop

DATABASE = "guichet_bench"
# One thread per worker: more threads only made requests queue on the audit chain's lock (every
# audited write holds it until its commit) while the two cores were already busy.
THREADS = int(os.environ.get("BENCH_THREADS", "1"))


@dataclass(frozen=True)
class LoadScale:
    users: int
    seconds: int
    warmup_seconds: int
    drafts_per_user: int


LOAD_SCALES = {
    "small": LoadScale(users=4, seconds=8, warmup_seconds=3, drafts_per_user=600),
    "default": LoadScale(users=8, seconds=30, warmup_seconds=5, drafts_per_user=1500),
}


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    per_second: float
    p95_ms: float
    median_ms: float


@dataclass
class CpuUse:
    """CPU seconds that each part of the measure used during one phase: the server (gunicorn's
    processes), the database (every PostgreSQL process) and the load generator (locust). With
    the phase's count of complete flows, it says what a flow costs each part, and how many flows
    the machine's cores could run at most."""

    server: float = 0.0
    database: float = 0.0
    generator: float = 0.0
    _start: dict = field(default_factory=dict, repr=False)

    @staticmethod
    def _seconds(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    def _sample(self, server: psutil.Process) -> dict:
        sample: dict = {"server": {}, "database": {}}
        try:
            for process in [server, *server.children(recursive=True)]:
                sample["server"][process.pid] = self._seconds(process)
        except psutil.NoSuchProcess:
            pass
        for process in psutil.process_iter(["name"]):
            if process.info["name"] == "postgres":
                try:
                    sample["database"][process.pid] = self._seconds(process)
                except psutil.NoSuchProcess:
                    continue
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust, once it has been waited for
        sample["generator"] = children.ru_utime + children.ru_stime
        return sample

    def start(self, server: psutil.Process) -> None:
        self._start = self._sample(server)

    def stop(self, server: psutil.Process) -> None:
        end = self._sample(server)
        for part in ("server", "database"):
            before = self._start[part]
            used = sum(seconds - before.get(pid, 0.0) for pid, seconds in end[part].items())
            setattr(self, part, used)
        self.generator = end["generator"] - self._start["generator"]

    @property
    def total(self) -> float:
        return self.server + self.database + self.generator


def prepare(scale: LoadScale, setup_file: Path) -> None:
    """A new database with the demo, the accounts and the drafts (in a child process: Django runs
    there on the load benchmark's settings)."""
    database_recreate(DATABASE)
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.load", "--prepare", str(setup_file), "--users", str(scale.users)]
        + ["--drafts", str(scale.drafts_per_user)],
        cwd=ROOT,
        env=environment(DATABASE),
        check=True,
    )


def _prepare_here(setup_file: Path, users: int, drafts: int) -> None:
    import io

    import django

    django.setup()
    from django.core.management import call_command

    from bench.load_data import PASSWORD, accounts_create, baseline_table_create, drafts_prepare

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())
    baseline_table_create()
    accounts = accounts_create(users)
    setup = {"accounts": accounts, "password": PASSWORD, "drafts": drafts_prepare(accounts, drafts)}
    setup_file.write_text(json.dumps(setup))


def locust_run(
    user_class: str,
    *,
    port: int,
    users: int,
    seconds: int,
    setup_file: Path,
    folder: Path,
    server: subprocess.Popen | None = None,
    cpu: CpuUse | None = None,
) -> list[Row]:
    """Runs `users` users of `user_class` for `seconds`; the statistics of each request name. With
    `cpu`, what the server, the database and locust used meanwhile is added to it."""
    prefix = folder / user_class
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), user_class]
    command += ["--headless", "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s"]
    command += ["--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--reset-stats", "--only-summary"]
    command += ["--loglevel", "WARNING", "--stop-timeout", "10", "--exit-code-on-error", "0"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    watched = psutil.Process(server.pid) if cpu is not None and server is not None else None
    if watched is not None:
        cpu.start(watched)
    subprocess.run(command, cwd=ROOT, env=environment(DATABASE, setup_file), check=True, **quiet)  # noqa: S603
    if watched is not None:
        cpu.stop(watched)
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for line in csv.DictReader(stats):
            if line["Name"] == "Aggregated" or line["Name"].startswith("0 "):
                continue  # the sign-ins, before the measure
            rows.append(
                Row(
                    name=line["Name"],
                    requests=int(line["Request Count"]),
                    failures=int(line["Failure Count"]),
                    per_second=float(line["Requests/s"]),
                    p95_ms=float(line["95%"]),
                    median_ms=float(line["50%"]),
                )
            )
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        for line in list(csv.DictReader(failures_file.open()))[:5]:
            failure = f"{line['Name']}: {line['Error']} ×{line['Occurrences']}"
            print(f"load: {user_class} failure: {failure}", file=sys.stderr)
    return rows


def load_figures(scale_name: str):
    """The load benchmark's figures (bench.run.Figure); none, with a note, without PostgreSQL."""
    from bench.run import Figure

    scale = LOAD_SCALES[scale_name]
    if not postgresql_ready():
        print("BENCH load skipped: PostgreSQL does not answer on 127.0.0.1:5432", file=sys.stderr)
        return []
    with tempfile.TemporaryDirectory(prefix="guichet-load-") as temporary:
        folder = Path(temporary)
        setup_file = folder / "setup.json"
        prepare(scale, setup_file)
        port = free_port()
        server = server_start(port, database=DATABASE, threads=THREADS)
        try:
            run = dict(port=port, users=scale.users, setup_file=setup_file, folder=folder)
            locust_run("FlowUser", **dict(run, seconds=scale.warmup_seconds))
            baseline_cpu = CpuUse()
            baseline = locust_run("BaselineUser", **dict(run, seconds=scale.seconds, server=server, cpu=baseline_cpu))
            flow_cpu = CpuUse()
            flows = locust_run("FlowUser", **dict(run, seconds=scale.seconds, server=server, cpu=flow_cpu))
            submits = locust_run("SubmitUser", **dict(run, seconds=scale.seconds))
        finally:
            server_stop(server)
    (insert,) = baseline
    (submit,) = submits
    complete = next(row for row in flows if row.name == "parcours complet")
    figures = [
        Figure("load_baseline_insert_one_row", insert.per_second, "req/s"),
        Figure("load_complete_flows", complete.per_second, "flows/s"),
        # The flow's requests together, against the one-row insert: what each costs relative to it.
        Figure(
            "load_flow_requests",
            sum(row.per_second for row in flows if row != complete),
            "req/s",
            baseline=insert.per_second,
        ),
        Figure("load_complete_flow_p95", complete.p95_ms, "ms"),
    ]
    figures += [
        Figure("load_p95_" + row.name.replace(" ", "_"), row.p95_ms, "ms")
        for row in sorted(flows, key=lambda row: row.name)
        if row != complete
    ]
    figures.append(Figure("load_submit_only", submit.per_second, "req/s", baseline=insert.per_second))
    figures.append(Figure("load_submit_only_p95", submit.p95_ms, "ms"))
    errors = sum(row.failures for row in [*baseline, *flows, *submits])
    figures.append(Figure("load_errors", errors, "requests"))
    # What one complete flow cost each part of the measure, in CPU time (the sign-ins excluded:
    # they come before the measure); and the most flows per second that the machine's cores could
    # give if they did nothing else, at that cost.
    if complete.requests:
        per_flow = {
            part: 1000 * getattr(flow_cpu, part) / complete.requests for part in ("server", "database", "generator")
        }
        for part, milliseconds in per_flow.items():
            figures.append(Figure(f"load_cpu_per_flow_{part}", milliseconds, "ms"))
        if insert.requests:
            # The same for one request of the baseline: what the flow's requests cost next to it.
            server_per_insert = 1000 * baseline_cpu.server / insert.requests
            figures.append(Figure("load_cpu_per_insert_server", server_per_insert, "ms"))
        cores = os.cpu_count() or 1
        figures.append(Figure("load_flows_ceiling_all_cores", cores * 1000 / sum(per_flow.values()), "flows/s"))
        figures.append(Figure("load_flows_ceiling_server_alone", cores * 1000 / per_flow["server"], "flows/s"))
    figures.append(Figure("load_users", scale.users, "concurrent clients"))
    return figures


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(LOAD_SCALES), default="default")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--drafts", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.prepare:
        _prepare_here(arguments.prepare, arguments.users, arguments.drafts)
        return
    for figure in load_figures(arguments.scale):
        print(figure.line(), flush=True)


if __name__ == "__main__":
    main()
