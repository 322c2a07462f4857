"""The soak (issue 23) on the multi-node test's cluster (tests/multinode/cluster.py): two gunicorn web
nodes, two workers and the follow-up loop sharing PostgreSQL, Redis and the local S3 server, behind
the round-robin proxy, with applicants filing dossiers through it (tests/multinode/applicants.py,
the load benchmark's requests).

1. capacity: applicants file as fast as they can, through one web node, then through both: complete
   flows per second (on two cores, the ratio shows what sharing costs, not a speed-up); and what the
   workers settle meanwhile (dossiers whose follow-up chain finished, per second: acts made and
   sealed, emails, webhooks...), which is the end-to-end capacity when it is the lower;
2. steady: MINUTES at 80 % of the lower of the two capacities (or --rate): p95 per minute, memory
   of each process at the start and the end, errors;
3. killed: the same, one web node killed with SIGKILL in the middle and started again RESTART_AFTER
   seconds later: errors outside the requests it had in flight (0 expected);
after each phase the workers' backlog (follow-up steps pending or running) is printed, then waited
for until it is empty (at most DRAIN_SECONDS: bench/soak_backlog.py), so that each phase starts
clean and the last one is checked once everything is done: every dossier answered « déposé » must
be filed, with its receipt issued and its follow-ups done.

`python -m bench.soak --minutes 1 --rate 0.3` runs it alone (or BENCH_SOAK_MINUTES, BENCH_SOAK_RATE);
`make bench` runs it with its scale's minutes (small: 1, default: 10). Needs PostgreSQL and Redis on
127.0.0.1; its database, guichet_soak, is made again at each run."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.server import ROOT, SERVER, database_recreate, postgresql_ready
from bench.soak_backlog import Drain, chains_finished, drain_wait

DATABASE = "guichet_soak"
APPLICANTS = 8
SCALE_MINUTES = {"small": 1.0, "default": 10.0}
CAPACITY_SECONDS = {"small": 20, "default": 60}
WARMUP_SECONDS = 5
SHARE_OF_CAPACITY = 0.8


@dataclass
class Phase:
    name: str
    flows_per_second: float
    p95_by_minute: list[float]
    errors_outside_killed: int
    lost_in_flight: int
    memory_mb: dict[str, tuple[float, float]]  # node: (start, end)
    answered: set[int]
    drain: Drain  # the backlog at the phase's end, and how long it took to clear


def say(text: str) -> None:
    print(f"soak: {text}", file=sys.stderr, flush=True)


def _prepare(cluster, applicants: int) -> tuple[list[str], str]:
    """The schema, the procedure and the accounts, by a child process on the nodes' settings."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "bench.soak", "--prepare", out.name, "--applicants", str(applicants)]
        subprocess.run(command, cwd=ROOT, env=cluster.environment(), check=True)  # noqa: S603
        setup = json.loads(Path(out.name).read_text())
    return setup["emails"], setup["password"]


def _prepare_here(path: str, applicants: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from tests.multinode.filing import filing_ready

    call_command("migrate", verbosity=0, interactive=False)
    emails, password = filing_ready(applicants)
    Path(path).write_text(json.dumps({"emails": emails, "password": password}))


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else (values[0] if values else 0.0)


@dataclass
class Capacity:
    flows_per_second: float  # complete flows the web nodes answered
    settled_per_second: float  # dossiers whose follow-up chain the workers finished meanwhile


def capacity(url: str, emails: list[str], password: str, seconds: int, database) -> Capacity:
    """Complete flows per second, applicants waiting for nothing; and the chains that the workers
    finished in the same time (they have a backlog from the start: the web outpaces them, or they
    keep up and their figure is the web's)."""
    from tests.multinode.applicants import applicants_run

    stop = threading.Event()
    journal, threads = applicants_run(url=url, emails=emails, password=password, stop=stop)
    time.sleep(WARMUP_SECONDS)
    before, settled_before = len(journal.confirmed), chains_finished(database)
    time.sleep(seconds)
    done, settled = len(journal.confirmed) - before, chains_finished(database) - settled_before
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return Capacity(flows_per_second=done / seconds, settled_per_second=settled / seconds)


def drained(name: str, cluster, database) -> Drain:
    """The backlog left at the end of phase `name`, waited for until it is empty (or the deadline)."""
    drain = drain_wait(database)
    say(f"{name}: backlog at the end: {drain.at_start}")
    if drain.drained:
        say(f"{name}: backlog drained in {drain.seconds:.0f} s ({drain.chains_per_second:.2f} chains/s)")
    else:
        say(f"{name}: backlog NOT drained after {drain.seconds:.0f} s: {drain.left} left")
    for node in cluster.workers + cluster.loops:
        say(f"{name}: memory of {node.name} after the drain: {node.memory_mb():.0f} MB")
    return drain


def phase(name: str, cluster, database, *, emails, password, rate: float, minutes: float, kill: bool) -> Phase:
    """Applicants paced to `rate` flows per second in all for `minutes`; with `kill`, the second
    web node killed at half time and started again RESTART_AFTER seconds later."""
    from tests.multinode.applicants import applicants_run

    seconds = minutes * 60
    restart_after = min(30.0, seconds / 4)
    memory_start = {node.name: node.memory_mb() for node in cluster.nodes}
    stop = threading.Event()
    started = time.time()
    lost_before = len(cluster.proxy.log.lost)
    journal, threads = applicants_run(
        url=cluster.proxy.url, emails=emails, password=password, stop=stop, every=len(emails) / rate
    )
    if kill:
        time.sleep(seconds / 2)
        victim = cluster.web[-1]
        say(f"{name}: {victim.name} killed (SIGKILL)")
        victim.kill()
        time.sleep(restart_after)
        cluster.restart(victim)
        say(f"{name}: {victim.name} started again")
        time.sleep(max(0.0, started + seconds - time.time()))
    else:
        time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    memory = {node.name: (memory_start[node.name], node.memory_mb()) for node in cluster.nodes}
    by_minute: dict[int, list[float]] = {}
    for end, _name, milliseconds in journal.timings:
        by_minute.setdefault(int((end - started) // 60), []).append(milliseconds)
    for minute, values in sorted(by_minute.items()):
        say(f"{name}: minute {minute + 1}: {len(values)} requests, p95 {_p95(values):.0f} ms")
    for node, (start, end) in memory.items():
        say(f"{name}: memory of {node}: {start:.0f} MB at the start, {end:.0f} MB at the end")
    outside = journal.failures_outside_lost_nodes()
    for failure in outside[:5]:
        say(f"{name}: failed outside the killed node: {failure}")
    return Phase(
        name=name,
        flows_per_second=len(journal.confirmed) / seconds,
        p95_by_minute=[_p95(values) for _, values in sorted(by_minute.items())],
        errors_outside_killed=len(outside),
        lost_in_flight=len(cluster.proxy.log.lost) - lost_before,
        memory_mb=memory,
        answered=set(journal.answered),
        drain=drained(name, cluster, database),
    )


def settled(cluster, answered: set[int]) -> dict[str, int]:
    """Once the backlog is drained: what is missing, read by a child process on the nodes' settings
    (tests/multinode/filing.py: all zero when nothing was lost)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        Path(out.name).write_text(json.dumps(sorted(answered)))
        command = [sys.executable, "-m", "bench.soak", "--verify", out.name]
        subprocess.run(command, cwd=ROOT, env=cluster.environment(), check=True)  # noqa: S603
        return json.loads(Path(out.name).read_text())


def _verify_here(path: str) -> None:
    import django

    django.setup()
    from tests.multinode.filing import filing_missing

    answered = set(json.loads(Path(path).read_text()))
    Path(path).write_text(json.dumps(filing_missing(answered)))


def soak(*, minutes: float, rate: float | None, capacity_seconds: int):
    from bench.run import Figure
    from config.settings import test_bucket
    from tests.multinode.cluster import Cluster, ClusterLayout, listening, redis_flushed
    from tests.multinode.proxy import RoundRobinProxy

    if not postgresql_ready() or not listening("127.0.0.1", 6379):
        print("BENCH soak skipped: PostgreSQL (5432) or Redis (6379) does not answer on 127.0.0.1", file=sys.stderr)
        return []
    database_recreate(DATABASE)
    with tempfile.TemporaryDirectory(prefix="guichet-soak-") as folder:
        cluster = Cluster(
            database_url=f"{SERVER}/{DATABASE}",
            bucket=test_bucket.test_bucket_started(),
            workdir=Path(folder),
            layout=ClusterLayout(lease_seconds=60, grace_seconds=10),
            redis_url=redis_flushed(),
        ).build()
        emails, password = _prepare(cluster, APPLICANTS)
        cluster.start()
        connection = None
        try:
            # Autocommit: each read sees what the nodes committed up to then.
            connection = psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True)
            database = connection.cursor()
            alone = RoundRobinProxy([cluster.web[0].port]).start()
            try:
                one = capacity(alone.url, emails, password, capacity_seconds, database)
            finally:
                alone.stop()
            two = capacity(cluster.proxy.url, emails, password, capacity_seconds, database)
            say(
                f"capacity: the web {one.flows_per_second:.2f} flows/s with one node, {two.flows_per_second:.2f} "
                f"with two; the workers settle {two.settled_per_second:.2f} dossiers/s meanwhile "
                f"({one.settled_per_second:.2f} beside one web node)"
            )
            capacity_drain = drained("capacity", cluster, database)
            target, bound = _pace(rate, web=two.flows_per_second, workers=two.settled_per_second)
            say(f"soak at {target:.2f} flows/s ({bound})")
            paced = {"emails": emails, "password": password, "rate": target, "minutes": minutes}
            phases = [
                phase("steady", cluster, database, kill=False, **paced),
                phase("killed", cluster, database, kill=True, **paced),
            ]
            missing = settled(cluster, set().union(*(p.answered for p in phases)))
        finally:
            if connection is not None:
                connection.close()
            cluster.stop()
    figures = [
        Figure("soak_capacity_one_node", one.flows_per_second, "flows/s"),
        Figure("soak_capacity_two_nodes", two.flows_per_second, "flows/s", baseline=one.flows_per_second),
        Figure("soak_workers_capacity", two.settled_per_second, "dossiers/s"),
        Figure("soak_rate", target, "flows/s"),
        *_drain_figures("capacity", capacity_drain),
    ]
    for p in phases:
        growth = max(end - start for node, (start, end) in p.memory_mb.items() if node != "web1" or p.name != "killed")
        figures += [
            Figure(f"soak_{p.name}_flows", p.flows_per_second, "flows/s"),
            Figure(f"soak_{p.name}_p95_first_minute", p.p95_by_minute[0] if p.p95_by_minute else 0.0, "ms"),
            Figure(f"soak_{p.name}_p95_worst_minute", max(p.p95_by_minute, default=0.0), "ms"),
            Figure(f"soak_{p.name}_errors_outside_killed_node", p.errors_outside_killed, "requests"),
            Figure(f"soak_{p.name}_lost_in_flight", p.lost_in_flight, "requests"),
            Figure(f"soak_{p.name}_memory_growth_max", growth, "MB"),
            *_drain_figures(p.name, p.drain),
        ]
    # After the phases: how long the workers took to finish what was filed, before the verification.
    figures.append(Figure("soak_drain_seconds", phases[-1].drain.seconds, "s"))
    units = {"answered_not_filed": "dossiers", "filed_without_one_receipt": "dossiers"}
    figures += [Figure(f"soak_{name}", count, units.get(name, name.split("_")[0])) for name, count in missing.items()]
    return figures


def _pace(rate: float | None, *, web: float, workers: float) -> tuple[float, str]:
    """The soak's rate: `rate` when given, else 80 % of the lower capacity; and what bounds it."""
    if rate:
        return rate, "the rate asked for"
    if workers < web:
        return SHARE_OF_CAPACITY * workers, f"80 % of the workers' capacity, below the web's {web:.2f}"
    return SHARE_OF_CAPACITY * web, f"80 % of the web's capacity, below the workers' {workers:.2f}"


def _drain_figures(name: str, drain: Drain):
    from bench.run import Figure

    return [
        Figure(f"soak_{name}_backlog_steps", drain.at_start.steps, "steps"),
        Figure(f"soak_{name}_backlog_dossiers", drain.at_start.chains, "dossiers"),
        Figure(f"soak_{name}_drain_seconds", drain.seconds, "s"),
        Figure(f"soak_{name}_steps_left_after_drain", drain.left.steps, "steps"),
    ]


def soak_figures(scale: str):
    """`make bench`'s entry: the scale's minutes unless BENCH_SOAK_MINUTES says otherwise."""
    minutes = float(os.environ.get("BENCH_SOAK_MINUTES", SCALE_MINUTES[scale]))
    rate = os.environ.get("BENCH_SOAK_RATE")
    return soak(minutes=minutes, rate=float(rate) if rate else None, capacity_seconds=CAPACITY_SECONDS[scale])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("BENCH_SOAK_MINUTES", "10")))
    parser.add_argument("--rate", type=float, default=None, help="flows per second (default: 80 %% of capacity)")
    parser.add_argument("--capacity-seconds", type=int, default=60)
    parser.add_argument("--prepare", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--applicants", type=int, default=APPLICANTS, help=argparse.SUPPRESS)
    parser.add_argument("--verify", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        _prepare_here(args.prepare, args.applicants)
        return
    if args.verify:
        _verify_here(args.verify)
        return
    rate = args.rate if args.rate is not None else float(os.environ.get("BENCH_SOAK_RATE", 0)) or None
    for figure in soak(minutes=args.minutes, rate=rate, capacity_seconds=args.capacity_seconds):
        print(figure.line(), flush=True)


if __name__ == "__main__":
    main()
