"""The observatory at scale (issue 7): the daily aggregation over every dossier, and the latency of
the public quality table and of a procedure's page, which read the summary tables only.

A PostgreSQL database of its own per scale (`guichet_observatory_small`, 200,000 dossiers;
`guichet_observatory_default`, 10,000,000) holds the demo and the dossiers and opinions of
bench/observatory_data.py. It is kept between runs (same count, same generator: reused, after
`migrate`), as the back office's is.

Each run: the aggregation (timed, as the nightly task runs it), then gunicorn (bench/server.py)
and one anonymous client that asks in turn, ROUNDS times each, the one-row baseline (bench/urls.py:
an anonymous GET that reads one dossier), the quality table (`/observatoire/`) and the page of the
biggest procedure; figures are p50 and p95, next to the baseline's.

`python -m bench.observatory --scale small` runs it alone; `make bench` runs it after the back office's."""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.backoffice import Latency, _percentile
from bench.server import (
    ROOT,
    database_exists,
    database_recreate,
    environment,
    free_port,
    postgresql_ready,
    psql,
    server_start,
    server_stop,
)

SCALES = {"small": 200_000, "default": 10_000_000}
ROUNDS = {"small": 200, "default": 300}
WARM_UP = 20
GENERATOR_VERSION = 2  # change it when the generator changes what it writes
MARKER = "bench_observatory_data"
PROCEDURE = "copie-integrale-acte-de-naissance"  # the biggest (bench/observatory_data.py)
PAGES = ("baseline", "quality", "procedure")


def database_name(scale: str) -> str:
    return f"guichet_observatory_{scale}"


def _reusable(database: str, count: int) -> bool:
    if not database_exists(database) or not psql(f"SELECT to_regclass('{MARKER}') IS NOT NULL", database)[0][0]:
        return False
    return psql(f"SELECT count, version FROM {MARKER}", database) == [(count, GENERATOR_VERSION)]  # noqa: S608


def _child(database: str, *arguments: str) -> None:
    """Runs this module in a child process with Django set up on the benchmarks' server settings."""
    command = [sys.executable, "-m", "bench.observatory", "--database", database, *arguments]
    subprocess.run(command, cwd=ROOT, env=environment(database), check=True)  # noqa: S603


def _say(text: str) -> None:
    print(f"observatory: {text}", file=sys.stderr, flush=True)


def prepare(scale: str) -> float | None:
    """The scale's database, ready; the seconds its data took to generate (None when reused)."""
    database, count = database_name(scale), SCALES[scale]
    if _reusable(database, count):
        _say(f"reusing {database} ({count:,} dossiers already there)")
        _child(database, "--migrate")
        return None
    _say(f"generating {count:,} dossiers in {database}…")
    database_recreate(database)
    started = time.monotonic()
    _child(database, "--generate", str(count))
    return time.monotonic() - started


def _migrate_here() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _generate_here(count: int) -> None:
    import io

    from django.core.management import call_command
    from django.db import connection

    from bench.observatory_data import database_tidy, observatory_data_generate

    _migrate_here()
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())
    report = observatory_data_generate(count, say=_say)
    started = time.monotonic()
    database_tidy()
    _say(f"vacuumed and analysed: {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER} (count integer, version integer)")
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s)", [count, GENERATOR_VERSION])  # noqa: S608
    _say(f"{report.dossiers:,} dossiers, {report.opinions:,} opinions in {report.seconds:.0f} s")


def _aggregate_here(result_file: Path) -> None:
    """The observatory's daily computation over every dossier, timed, and what the pages will ask."""
    from guichet.dossiers.models import Dossier
    from guichet.observatory.aggregation import observatory_aggregate
    from guichet.observatory.models import ProgrammeEntry

    started = time.monotonic()
    observatory_aggregate()
    seconds = time.monotonic() - started
    entry = ProgrammeEntry.objects.get(procedure__slug=PROCEDURE)
    one = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first()
    result_file.write_text(
        json.dumps(
            {
                "seconds": seconds,
                "pages": {
                    "baseline": f"/__bench__/read-anonymous/?pk={one}",
                    "quality": "/observatoire/",
                    "procedure": f"/observatoire/demarches/{entry.pk}/",
                },
            }
        )
    )


def measure(base: str, pages: dict[str, str], rounds: int) -> dict[str, Latency]:
    """p50 and p95 in ms of each page, asked in turn, one at a time, `rounds` times each."""
    import requests

    session = requests.Session()
    samples: dict[str, list[float]] = {page: [] for page in PAGES}
    for number in range(WARM_UP + rounds):
        for page in PAGES:
            url = base + pages[page]
            started = time.perf_counter()
            response = session.get(url, allow_redirects=False)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{page}: {url} answered {response.status_code}")
            if number >= WARM_UP:
                samples[page].append(elapsed)
    return {page: Latency(statistics.median(values), _percentile(values, 0.95)) for page, values in samples.items()}


def database_size(database: str) -> int:
    return psql(f"SELECT pg_database_size('{database}')")[0][0]  # noqa: S608 (our own constant)


def observatory_figures(scale: str):
    """The observatory benchmark's figures (bench.run.Figure); none, with a note, without PostgreSQL."""
    from bench.run import Figure

    if not postgresql_ready():
        print("BENCH observatory skipped: PostgreSQL does not answer on 127.0.0.1:5432", file=sys.stderr)
        return []
    generated = prepare(scale)
    database, rounds = database_name(scale), ROUNDS[scale]
    with tempfile.TemporaryDirectory(prefix="guichet-observatory-") as temporary:
        result_file = Path(temporary) / "aggregation.json"
        _child(database, "--aggregate", str(result_file))
        result = json.loads(result_file.read_text())
    port = free_port()
    server = server_start(port, database=database)
    try:
        latencies = measure(f"http://127.0.0.1:{port}", result["pages"], rounds)
    finally:
        server_stop(server)
    baseline = latencies["baseline"]
    figures = [
        Figure("observatory_dossiers", SCALES[scale], "dossiers"),
        Figure("observatory_database_size", database_size(database) / 1e9, "GB"),
        Figure("observatory_aggregation", result["seconds"], "s"),
    ]
    if generated is not None:
        figures.append(Figure("observatory_generation", generated, "s"))
    figures += [
        Figure("observatory_baseline_p50", baseline.p50, "ms"),
        Figure("observatory_baseline_p95", baseline.p95, "ms"),
    ]
    for page in ("quality", "procedure"):
        latency = latencies[page]
        figures.append(Figure(f"observatory_{page}_page_p50", latency.p50, "ms", baseline=baseline.p50))
        figures.append(Figure(f"observatory_{page}_page_p95", latency.p95, "ms", baseline=baseline.p95))
    return figures


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--aggregate", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.database:  # a child process, on the benchmarks' server settings
        import django

        django.setup()
        if arguments.migrate:
            _migrate_here()
        elif arguments.generate:
            _generate_here(arguments.generate)
        elif arguments.aggregate:
            _aggregate_here(arguments.aggregate)
        return
    for figure in observatory_figures(arguments.scale):
        print(figure.line(), flush=True)


if __name__ == "__main__":
    main()
