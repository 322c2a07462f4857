"""The back office at scale: latency of the instructors' pages over many dossiers (issue 5).

A PostgreSQL database of its own per scale (`guichet_backoffice_small`, 50,000 dossiers;
`guichet_backoffice_default`, 1,000,000) holds the demo and the dossiers of bench/backoffice_data.py.
It is kept between runs: generating a million dossiers takes a while, so a database that already
holds them (same count, same generator) is reused, after `migrate`.

gunicorn serves it as in the load benchmark (bench/server.py). One client, signed in through the
sign-in form as the demo instructor of the town hall, asks in turn, ROUNDS times each:
- the one-row baseline (bench/urls.py: a signed-in GET that reads one row);
- « À traiter » of the biggest procedure;
- the same list filtered on an answer;
- a text search in « Tous »;
- a dossier's page;
- the API's list of dossiers of the same procedure (`GET /api/v1/dossiers?procedure=…`, its first
  page of 50, newest filing first) with the key of the demo's service account of the town hall
  (guichet/demo/integrations.py, added to a kept database that predates it); its p95 is reported
  next to the back office's « À traiter » p95 (the ratio), as its p50 next to the list's p50.
Then the CSV export (issue 5: ≥ 20,000 rows/s, under 300 MB for 1,000,000 rows), each in a fresh
process so that its peak memory is the export's own (Django included), through the code the
screens' export and the background export job run (`instructor_dossiers_listed`, `export_rows`,
`export_chunks`), every column (the dossier's own and every answer), written to /dev/null:
- `backoffice_export_csv_*`: the demo instructor's export of the biggest procedure: every dossier
  they see there, as their two lists « Tous » and « Mis de côté » (a list shows either current
  dossiers or those put aside), one after the other (400,000 rows at the default scale);
- `backoffice_export_all_csv_*`: an instructor of every group of every procedure
  (EXPORT_INSTRUCTOR, added by the benchmark) exports those two lists of each procedure, one after
  the other in the same process: every filed dossier of the database (1,000,152 rows at the
  default scale). No single list holds a million dossiers, so this is what measures the
  "1,000,000 rows" memory target: the process's peak after a million rows exported.
(The observatory has a benchmark of its own at its scale: bench/observatory.py.)
Each round asks every page once, so that whatever else the machine does weighs on all alike; the
figures are p50 and p95, next to the baseline's.

`python -m bench.backoffice --scale small` runs it alone; `make bench` runs it after the load benchmark."""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.server import (
    ROOT,
    KeptDatabase,
    environment,
    free_port,
    postgresql_ready,
    server_start,
    server_stop,
)

SCALES = {"small": 50_000, "default": 1_000_000}
ROUNDS = {"small": 200, "default": 300}
WARM_UP = 20
# Change it when the generator changes what it writes: databases of an older one are built again.
GENERATOR_VERSION = 3  # the schema of dossiers changed: kept databases are built again
MARKER = "bench_backoffice_data"
KEPT = KeptDatabase(module="bench.backoffice", label="backoffice", marker=MARKER, version=GENERATOR_VERSION)
PROCEDURE = "copie-integrale-acte-de-naissance"  # the biggest (bench/backoffice_data.py)
INSTRUCTOR = "instructrice.mairie@demo.guichet.fr"
# The answers the filtered list asks for, in turn (field, value as typed by the instructor).
ANSWER_FILTERS = (("motif_demande", "succession"), ("mode_delivrance", "guichet"), ("qualite_demandeur", "parent"))
PAGES = ("baseline", "list", "list_answer", "search", "dossier", "api_list")
# The pages whose figures are compared with another page's rather than with the baseline.
COMPARED_WITH = {"api_list": "list"}
# An instructor of every group (made by the export benchmark): sees every filed dossier.
EXPORT_INSTRUCTOR = "instructeur.export@banc-essai.local"
EXPORTS = {"export": False, "export_all": True}  # figure prefix: every procedure?


def database_name(scale: str) -> str:
    return f"guichet_backoffice_{scale}"


def _generate_here(count: int) -> None:

    from bench.backoffice_data import database_tidy, dossiers_generate

    KEPT.migrate_here(demo=True)
    report = dossiers_generate(count, say=KEPT.say)
    database_tidy()
    KEPT.mark_here(count)
    KEPT.say(f"{report.dossiers:,} dossiers, {report.applicants:,} applicants in {report.seconds:.0f} s")


def _urls_here(plan_file: Path, rounds: int) -> None:
    """What the client asks for: varied searches and dossiers, taken from the data."""
    import random

    from django.db.models import Q

    from guichet.accounts.models import Organisation, OrganisationRole, TOTPDevice, User
    from guichet.demo.integrations import DEMO_SERVICE_KEY, demo_integrations_load
    from guichet.demo.loader import ADMINISTRATOR, DEMO_PASSWORD
    from guichet.dossiers.models import Dossier, DossierState
    from guichet.procedures.models import Procedure

    rng = random.Random(5)
    procedure = Procedure.objects.get(slug=PROCEDURE)
    instructor = User.objects.get(email=INSTRUCTOR)
    # The figures are the back office's pages, not the sign-in: the benchmark's instructor signs in
    # with a password alone (bench/load_settings.py lets instructors off the second factor).
    TOTPDevice.objects.filter(user=instructor).delete()
    list_url = f"/instruction/demarches/{procedure.slug}/"
    filed = Dossier.objects.filter(procedure=procedure).exclude(state=DossierState.DRAFT)
    last = filed.order_by("-pk").values_list("pk", flat=True).first()
    sample = list(
        filed.filter(pk__gte=rng.randint(1, last - 1000))
        .filter(~Q(identity={}))
        .order_by("pk")
        .values_list("pk", "identity")[: max(rounds, 50)]
    )
    rng.shuffle(sample)
    searches = [f"{identity['family_name']} {identity['given_name']}" for _pk, identity in sample[:50]]
    one = filed.order_by("pk").values_list("pk", flat=True).first()
    # The town hall's service account and its published key (a database kept from before it has none).
    town = Organisation.objects.get(slug="mairie-sainte-croix-en-val")
    administrator = User.objects.get(
        email=ADMINISTRATOR.email, roles__organisation=town, roles__role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    demo_integrations_load(administrator=administrator, town=town)
    plan = {
        "email": instructor.email,
        "password": DEMO_PASSWORD,
        "pages": {
            "baseline": [f"/__bench__/read/?pk={one}"],
            "list": [list_url],
            "list_answer": [
                list_url + "?" + urlencode({"champ": field, "valeur": value}) for field, value in ANSWER_FILTERS
            ],
            "search": [list_url + "?" + urlencode({"onglet": "tous", "q": text}) for text in searches],
            "dossier": [f"/instruction/dossiers/{pk}/" for pk, _identity in sample],
            "api_list": ["/api/v1/dossiers?" + urlencode({"procedure": procedure.slug})],
        },
        "headers": {"api_list": {"Authorization": f"Bearer {DEMO_SERVICE_KEY}"}},
    }
    plan_file.write_text(json.dumps(plan))


def _export_instructor():
    """EXPORT_INSTRUCTOR, member of every instructor group (added when missing)."""
    from guichet.accounts.models import User
    from guichet.procedures.models import InstructorGroup, InstructorMembership

    user, _ = User.objects.get_or_create(
        email=EXPORT_INSTRUCTOR, defaults={"first_name": "Camille", "last_name": "Banc d’essai des exports"}
    )
    for group in InstructorGroup.objects.exclude(memberships__user=user):
        InstructorMembership.objects.get_or_create(group=group, user=user)
    return user


def export_measure(*, everything: bool) -> dict:
    """The CSV export (every column) of every dossier the demo instructor sees in the biggest
    procedure, or with `everything` of every filed dossier (EXPORT_INSTRUCTOR, every procedure), as
    the instructor's lists « Tous » and « Mis de côté » exported one after the other, in this process:
    rows, lists, seconds (elapsed and CPU, the reading thread's included), bytes, peak memory."""
    import os
    import resource

    from guichet.accounts.models import User
    from guichet.instruction.exports import (
        ExportFormat,
        export_chunks,
        export_columns_available,
        export_header,
        export_rows,
    )
    from guichet.instruction.lists import ListFilters, Tab
    from guichet.instruction.selectors import instructor_dossiers_listed, procedures_of_instructor

    if everything:
        user = _export_instructor()
        procedures = list(procedures_of_instructor(user))
    else:
        user = User.objects.get(email=INSTRUCTOR)
        procedures = [procedures_of_instructor(user).get(slug=PROCEDURE)]
    counted, size, lists = 0, 0, 0

    def counting(rows):
        nonlocal counted
        for row in rows:
            counted += 1
            yield row

    start, cpu_start = time.perf_counter(), time.process_time()
    with open(os.devnull, "wb") as sink:
        for procedure in procedures:
            columns = export_columns_available(procedure=procedure)
            for tab in (Tab.ALL, Tab.PUT_ASIDE):
                dossiers = instructor_dossiers_listed(user, procedure, ListFilters(tab=tab))
                rows = counting(export_rows(queryset=dossiers, columns=columns))
                for chunk in export_chunks(header=export_header(columns), rows=rows, format=ExportFormat.CSV):
                    size += len(chunk)
                    sink.write(chunk)
                lists += 1
    return {
        "rows": counted,
        "lists": lists,
        "columns_max": max(len(export_columns_available(procedure=procedure)) for procedure in procedures),
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu_start,
        "bytes": size,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # Linux gives kilobytes
    }


def export_figures(database: str) -> list:
    """The exports' figures (bench.run.Figure), each export in a fresh child process."""
    from bench.run import Figure

    figures = []
    for name, everything in EXPORTS.items():
        command = [sys.executable, "-m", "bench.backoffice", "--database", database, "--export"]
        command += ["--everything"] if everything else []
        output = subprocess.run(  # noqa: S603
            command, cwd=ROOT, env=environment(database), check=True, capture_output=True, text=True
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        print(f"# backoffice {name}: {result}", file=sys.stderr, flush=True)
        figures += [
            Figure(f"backoffice_{name}_csv_rows_per_s", result["rows"] / result["seconds"], "rows/s"),
            Figure(f"backoffice_{name}_csv_peak_memory", result["peak_mb"], "MB"),
            Figure(f"backoffice_{name}_csv_rows", result["rows"], "rows"),
            Figure(f"backoffice_{name}_csv_seconds", result["seconds"], "s"),
            Figure(f"backoffice_{name}_csv_cpu_seconds", result["cpu_seconds"], "s"),
        ]
    return figures


def _sign_in(base: str, email: str, password: str):
    import requests

    session = requests.Session()
    session.get(f"{base}/compte/connexion/").raise_for_status()
    response = session.post(
        f"{base}/compte/connexion/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"], "username": email, "password": password},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"the instructor could not sign in: {response.status_code}")
    return session


@dataclass(frozen=True)
class Latency:
    p50: float
    p95: float


def _percentile(samples: list[float], share: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(share * 100) - 1]


def measure(base: str, plan: dict, rounds: int) -> dict[str, Latency]:
    """p50 and p95 in ms of each page, asked in turn, one at a time, `rounds` times each."""
    session = _sign_in(base, plan["email"], plan["password"])
    samples: dict[str, list[float]] = {page: [] for page in PAGES}
    for number in range(WARM_UP + rounds):
        for page in PAGES:
            urls = plan["pages"][page]
            url = base + urls[number % len(urls)]
            started = time.perf_counter()
            response = session.get(url, allow_redirects=False, headers=plan.get("headers", {}).get(page))
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{page}: {url} answered {response.status_code}")
            if number >= WARM_UP:
                samples[page].append(elapsed)
    return {page: Latency(statistics.median(values), _percentile(values, 0.95)) for page, values in samples.items()}


def backoffice_figures(scale: str):
    """The back office benchmark's figures (bench.run.Figure); none, with a note, without PostgreSQL."""
    from bench.run import Figure

    if not postgresql_ready():
        print("BENCH backoffice skipped: PostgreSQL does not answer on 127.0.0.1:5432", file=sys.stderr)
        return []
    generated = KEPT.prepare(database_name(scale), SCALES[scale])
    database, rounds = database_name(scale), ROUNDS[scale]
    with tempfile.TemporaryDirectory(prefix="guichet-backoffice-") as temporary:
        plan_file = Path(temporary) / "plan.json"
        KEPT.child(database, "--plan", str(plan_file), "--rounds", str(rounds))
        plan = json.loads(plan_file.read_text())
    port = free_port()
    server = server_start(port, database=database)
    try:
        latencies = measure(f"http://127.0.0.1:{port}", plan, rounds)
    finally:
        server_stop(server)
    baseline = latencies["baseline"]
    figures = [Figure("backoffice_dossiers", SCALES[scale], "dossiers")]
    if generated is not None:
        figures.append(Figure("backoffice_generation", generated, "s"))
    for page in PAGES:
        latency = latencies[page]
        if page in COMPARED_WITH:
            other = latencies[COMPARED_WITH[page]]
            figures.append(Figure(f"backoffice_{page}_p50", latency.p50, "ms", baseline=other.p50))
            figures.append(Figure(f"backoffice_{page}_p95", latency.p95, "ms", baseline=other.p95))
        elif page == "baseline":
            figures += [
                Figure(f"backoffice_{page}_p50", latency.p50, "ms"),
                Figure(f"backoffice_{page}_p95", latency.p95, "ms"),
            ]
        else:
            figures.append(Figure(f"backoffice_{page}_p50", latency.p50, "ms", baseline=baseline.p50))
            figures.append(Figure(f"backoffice_{page}_p95", latency.p95, "ms", baseline=baseline.p95))
    return figures + export_figures(database)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--export", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--everything", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--exports-only", action="store_true", help="only the exports, on the kept database")
    arguments = parser.parse_args()
    if arguments.database:  # a child process, on the benchmarks' server settings
        import django

        django.setup()
        if arguments.migrate:
            KEPT.migrate_here()
        elif arguments.generate:
            _generate_here(arguments.generate)
        elif arguments.plan:
            _urls_here(arguments.plan, arguments.rounds)
        elif arguments.export:
            print(json.dumps(export_measure(everything=arguments.everything)))
        return
    if arguments.exports_only:
        KEPT.prepare(database_name(arguments.scale), SCALES[arguments.scale])
        for figure in export_figures(database_name(arguments.scale)):
            print(figure.line(), flush=True)
        return
    for figure in backoffice_figures(arguments.scale):
        print(figure.line(), flush=True)


if __name__ == "__main__":
    main()
