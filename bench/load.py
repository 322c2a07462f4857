"""Dossier submission under load: the platform served by gunicorn (2 workers) on PostgreSQL, and
locust's users (bench/locustfile.py) running the applicant's flows (bench/flow.py) against it.

Four kinds of phase, after a warm-up, on the same server in the same run:
- baseline: a signed-in POST that inserts one row (bench/urls.py), as fast as the users can, in four
  half phases: before the browser flow, between it and the posts flow, between that and the
  submissions, and after them. Each flow is compared with the two halves around it, so that a host
  whose speed drifts during the run (a shared machine) moves both terms of its ratios alike;
- browser flow, the main figure: start, then every redirection followed as a browser does (each page
  shown then sent, two attachments with the last one, the summary shown, submit, confirmation);
- posts flow (`load_complete_flows`, the first figure of this benchmark): the same without showing
  the pages nor the summary;
- submit: only the submission, of drafts prepared beforehand (bench/load_data.py).

Besides throughput and latency, the CPU time that the server (gunicorn), the database (PostgreSQL)
and the load generator (locust) spend per complete flow, the same divided by what one baseline
request costs them in the same run (`…_in_baselines`: steadier than absolute times on a shared
machine), the cores kept busy during each flow phase (a stall shows there), and per kind of request
the server's CPU time and SQL statements, measured inside gunicorn (bench/request_stats.py).

`python -m bench.load [--runs N]` runs it alone (each figure the median of the runs); `make bench`
runs it three times after the in-process figures. The database (`guichet_bench`, or
BENCH_LOAD_DATABASE) is dropped and created again at each run."""

import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.load_cpu import CpuUse, LockWaits, machine_python_speed
from bench.request_stats import StatsReader
from bench.server import (
    ROOT,
    database_recreate,
    environment,
    free_port,
    postgresql_ready,
    server_start,
    server_stop,
)

DATABASE = os.environ.get("BENCH_LOAD_DATABASE", "guichet_bench")
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


@dataclass
class Phase:
    """What one phase of locust gave: its statistics per request name, the CPU that each part used
    meanwhile, and the server's own measure per kind of request."""

    rows: list[Row]
    cpu: CpuUse
    kinds: dict
    lock_waits: float = 0.0

    def row(self, name: str) -> Row:
        return next(row for row in self.rows if row.name == name)

    @classmethod
    def joined(cls, *phases: "Phase") -> "Phase":
        """Phases of the same users, as long as each other, as one: requests and CPU summed,
        throughput and latencies averaged (the 95th percentile, the worst of them)."""
        rows = []
        for row in phases[0].rows:
            same = [phase.row(row.name) for phase in phases]
            rows.append(
                Row(
                    name=row.name,
                    requests=sum(one.requests for one in same),
                    failures=sum(one.failures for one in same),
                    per_second=statistics.mean(one.per_second for one in same),
                    p95_ms=max(one.p95_ms for one in same),
                    median_ms=statistics.mean(one.median_ms for one in same),
                )
            )
        kinds: dict = {}
        for phase in phases:
            for kind, stats in phase.kinds.items():
                kinds[kind] = stats.joined(kinds[kind]) if kind in kinds else stats
        lock_waits = statistics.mean(phase.lock_waits for phase in phases)
        return cls(rows, CpuUse.joined(*(phase.cpu for phase in phases)), kinds, lock_waits)


def locust_run(
    user_class: str,
    *,
    port: int,
    users: int,
    seconds: int,
    setup_file: Path,
    folder: Path,
    server: subprocess.Popen,
    stats: StatsReader,
) -> Phase:
    """Runs `users` users of `user_class` for `seconds`: the statistics of each request name, and
    what the server, the database and locust used meanwhile."""
    prefix = folder / user_class
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), user_class]
    command += ["--headless", "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s"]
    command += ["--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--reset-stats", "--only-summary"]
    command += ["--loglevel", "WARNING", "--stop-timeout", "10", "--exit-code-on-error", "0"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    watched, cpu, waits = psutil.Process(server.pid), CpuUse(database_name=DATABASE), LockWaits(DATABASE)
    cpu.start(watched)
    stats.start()
    waits.start()
    subprocess.run(command, cwd=ROOT, env=environment(DATABASE, setup_file), check=True, **quiet)  # noqa: S603
    waits.stop()
    cpu.stop(watched)
    kinds = stats.read()
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as lines:
        for line in csv.DictReader(lines):
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
    return Phase(rows, cpu, kinds, waits.mean)


def _measured(kinds: dict) -> list:
    """The kinds of request of a phase, without the sign-ins (before the statistics are reset)."""
    return sorted((kind, stats) for kind, stats in kinds.items() if "accounts:login" not in kind)


def _flow_figures(prefix: str, phase: Phase, complete_name: str, baseline: Phase) -> list:
    """A flow phase's figures, each name starting with `prefix`."""
    from bench.run import Figure

    complete = phase.row(complete_name)
    insert = baseline.rows[0]
    requests = [row for row in phase.rows if row != complete]
    figures = [
        Figure(f"{prefix}complete_flows", complete.per_second, "flows/s"),
        Figure(f"{prefix}flow_requests", sum(row.per_second for row in requests), "req/s", baseline=insert.per_second),
        Figure(f"{prefix}complete_flow_p95", complete.p95_ms, "ms"),
    ]
    figures += [
        Figure(f"{prefix}p95_" + row.name.replace(" ", "_"), row.p95_ms, "ms")
        for row in sorted(requests, key=lambda row: row.name)
    ]
    figures.append(Figure(f"{prefix}flow_errors", sum(row.failures for row in phase.rows), "requests"))
    # Per kind of request, measured in the server: its own CPU time and its SQL statements.
    for kind, stats in _measured(phase.kinds):
        figures.append(Figure(f"{prefix}server_cpu_ms_{kind}", stats.cpu_ms_per_request, "ms"))
        figures.append(Figure(f"{prefix}sql_{kind}", stats.statements_per_request, "statements"))
    figures.append(Figure(f"{prefix}cores_used", phase.cpu.cores_used, "cores (server+database+locust)"))
    figures.append(Figure(f"{prefix}machine_cores_used", phase.cpu.machine_cores_used, "cores (whole machine)"))
    figures.append(Figure(f"{prefix}machine_cores_stolen", phase.cpu.cores_stolen, "cores (hypervisor)"))
    figures.append(Figure(f"{prefix}busiest_worker_share", phase.cpu.busiest_worker_share, "of the server's CPU"))
    figures.append(Figure(f"{prefix}connections_waiting_for_a_lock", phase.lock_waits, "on average"))
    if not complete.requests or not insert.requests:
        return figures
    # What one complete flow cost each part of the measure, in CPU time (the sign-ins excluded:
    # they come before the measure), and the same in baseline requests of the same run.
    cores = os.cpu_count() or 1
    parts = ("server", "database", "generator")
    per_flow = {part: 1000 * getattr(phase.cpu, part) / complete.requests for part in parts}
    for part, milliseconds in per_flow.items():
        figures.append(Figure(f"{prefix}cpu_per_flow_{part}", milliseconds, "ms"))
    for part in ("server", "database"):
        per_insert = 1000 * getattr(baseline.cpu, part) / insert.requests
        figures.append(Figure(f"{prefix}{part}_cpu_per_flow_in_baselines", per_flow[part] / per_insert, "baselines"))
    # The database's connections to the benchmark's database only (others' work left out).
    backends = 1000 * phase.cpu.backends / complete.requests
    figures.append(Figure(f"{prefix}cpu_per_flow_database_backends", backends, "ms"))
    if baseline.cpu.backends:
        per_insert = 1000 * baseline.cpu.backends / insert.requests
        figures.append(
            Figure(f"{prefix}database_backends_cpu_per_flow_in_baselines", backends / per_insert, "baselines")
        )
    # The same for the requests' own threads, measured in the server (without gunicorn's parsing and
    # the workers' other threads): steadier than the processes' time when other work shares the cores.
    measured, baseline_kinds = _measured(phase.kinds), _measured(baseline.kinds)
    if measured and baseline_kinds:
        per_baseline = sum(stats.cpu_seconds for _kind, stats in baseline_kinds) / insert.requests
        per_complete = sum(stats.cpu_seconds for _kind, stats in measured) / complete.requests
        figures.append(Figure(f"{prefix}request_cpu_per_flow_in_baselines", per_complete / per_baseline, "baselines"))
    figures.append(Figure(f"{prefix}flows_ceiling_all_cores", cores * 1000 / sum(per_flow.values()), "flows/s"))
    figures.append(Figure(f"{prefix}flows_ceiling_server_alone", cores * 1000 / per_flow["server"], "flows/s"))
    return figures


def load_run(scale: LoadScale) -> list:
    """One run of the four phases on a new database and server: its figures."""
    from bench.run import Figure

    speed = machine_python_speed()
    with tempfile.TemporaryDirectory(prefix="guichet-load-") as temporary:
        folder = Path(temporary)
        setup_file = folder / "setup.json"
        prepare(scale, setup_file)
        (folder / "stats").mkdir()
        stats = StatsReader(folder / "stats")
        port = free_port()
        server = server_start(port, database=DATABASE, threads=THREADS, request_stats=stats.folder, clients=scale.users)
        try:
            run = dict(port=port, users=scale.users, setup_file=setup_file, folder=folder, server=server, stats=stats)
            locust_run("BrowserFlowUser", **dict(run, seconds=scale.warmup_seconds))
            half = max(1, scale.seconds // 2)
            baselines = [locust_run("BaselineUser", **dict(run, seconds=half))]
            browser = locust_run("BrowserFlowUser", **dict(run, seconds=scale.seconds))
            baselines.append(locust_run("BaselineUser", **dict(run, seconds=half)))
            posts = locust_run("FlowUser", **dict(run, seconds=scale.seconds))
            baselines.append(locust_run("BaselineUser", **dict(run, seconds=half)))
            submits = locust_run("SubmitUser", **dict(run, seconds=scale.seconds))
            baselines.append(locust_run("BaselineUser", **dict(run, seconds=half)))
        finally:
            server_stop(server)
    # Each flow against the baseline measured around it; the baseline's own figures from all four.
    baseline = Phase.joined(*baselines)
    around_browser, around_posts, around_submits = (Phase.joined(*baselines[i : i + 2]) for i in range(3))
    (insert,) = baseline.rows
    (submit,) = submits.rows
    figures = [Figure("load_machine_python_loop", speed, "ms (a fixed pure-Python workload: the host's speed)")]
    figures.append(Figure("load_baseline_insert_one_row", insert.per_second, "req/s"))
    for kind, kind_stats in _measured(baseline.kinds):
        figures.append(Figure(f"load_baseline_server_cpu_ms_{kind}", kind_stats.cpu_ms_per_request, "ms"))
        figures.append(Figure(f"load_baseline_sql_{kind}", kind_stats.statements_per_request, "statements"))
    if insert.requests:
        for part in ("server", "database"):
            per_insert = 1000 * getattr(baseline.cpu, part) / insert.requests
            figures.append(Figure(f"load_cpu_per_insert_{part}", per_insert, "ms"))
    figures += _flow_figures("load_browser_", browser, "parcours navigateur", around_browser)
    figures += _flow_figures("load_", posts, "parcours complet", around_posts)
    (insert_around_submits,) = around_submits.rows
    figures.append(Figure("load_submit_only", submit.per_second, "req/s", baseline=insert_around_submits.per_second))
    figures.append(Figure("load_submit_only_p95", submit.p95_ms, "ms"))
    for kind, kind_stats in _measured(submits.kinds):
        figures.append(Figure(f"load_submit_only_sql_{kind}", kind_stats.statements_per_request, "statements"))
    errors = sum(row.failures for phase in (baseline, browser, posts, submits) for row in phase.rows)
    figures.append(Figure("load_errors", errors, "requests"))
    figures.append(Figure("load_users", scale.users, "concurrent clients"))
    return figures


def figures_median(runs: list[list]) -> list:
    """Each figure as the median of the runs that printed it (with its baseline's median), in the
    order of the first run."""
    from bench.run import Figure

    if len(runs) == 1:
        return runs[0]
    by_name: dict[str, list] = {}
    for figures in runs:
        for figure in figures:
            by_name.setdefault(figure.name, []).append(figure)
    medians = []
    for name, figures in by_name.items():
        baselines = [figure.baseline for figure in figures if figure.baseline is not None]
        baseline = statistics.median(baselines) if baselines else None
        ratios = [figure.ratio for figure in figures if figure.ratio is not None]
        value = statistics.median(figure.value for figure in figures)
        if ratios and baseline:
            value = statistics.median(ratios) * baseline  # the median ratio, printed as such
        medians.append(Figure(name, value, figures[0].unit, baseline=baseline))
    return medians


def load_figures(scale_name: str, runs: int = 1):
    """The load benchmark's figures (bench.run.Figure), medians of `runs` runs; none, with a note,
    without PostgreSQL."""
    if not postgresql_ready():
        print("BENCH load skipped: PostgreSQL does not answer on 127.0.0.1:5432", file=sys.stderr)
        return []
    results = []
    for number in range(1, runs + 1):
        figures = load_run(LOAD_SCALES[scale_name])
        if runs > 1:
            for figure in figures:
                print(f"run {number}: {figure.line()}", file=sys.stderr, flush=True)
        results.append(figures)
    return figures_median(results)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(LOAD_SCALES), default="default")
    parser.add_argument("--runs", type=int, default=1, help="runs of the four phases; each figure their median")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--drafts", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.prepare:
        _prepare_here(arguments.prepare, arguments.users, arguments.drafts)
        return
    for figure in load_figures(arguments.scale, arguments.runs):
        print(figure.line(), flush=True)


if __name__ == "__main__":
    main()
