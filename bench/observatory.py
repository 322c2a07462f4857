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
import sys
import tempfile
import time
from pathlib import Path

from bench.backoffice import Latency, _percentile
from bench.server import (
    KeptDatabase,
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
KEPT = KeptDatabase(module="bench.observatory", label="observatory", marker=MARKER, version=GENERATOR_VERSION)
PROCEDURE = "copie-integrale-acte-de-naissance"  # the biggest (bench/observatory_data.py)
PAGES = ("baseline", "quality", "procedure")


def database_name(scale: str) -> str:
    return f"guichet_observatory_{scale}"


def _generate_here(count: int) -> None:

    from bench.observatory_data import database_tidy, observatory_data_generate

    KEPT.migrate_here(demo=True)
    report = observatory_data_generate(count, say=KEPT.say)
    started = time.monotonic()
    database_tidy()
    KEPT.say(f"vacuumed and analysed: {time.monotonic() - started:.1f} s")
    KEPT.mark_here(count)
    KEPT.say(f"{report.dossiers:,} dossiers, {report.opinions:,} opinions in {report.seconds:.0f} s")


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
    generated = KEPT.prepare(database_name(scale), SCALES[scale])
    database, rounds = database_name(scale), ROUNDS[scale]
    with tempfile.TemporaryDirectory(prefix="guichet-observatory-") as temporary:
        result_file = Path(temporary) / "aggregation.json"
        KEPT.child(database, "--aggregate", str(result_file))
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
            KEPT.migrate_here()
        elif arguments.generate:
            _generate_here(arguments.generate)
        elif arguments.aggregate:
            _aggregate_here(arguments.aggregate)
        return
    for figure in observatory_figures(arguments.scale):
        print(figure.line(), flush=True)


if __name__ == "__main__":
    main()
