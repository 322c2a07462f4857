"""`make bench`: prints `BENCH <name> <value> <unit>` lines (with `baseline=… ratio=…` where a figure
is compared with a baseline measured in the same run) and writes bench/results/latest.json.

Scales: `small` (a quick check, well under 5 minutes) and `default`. The load benchmark
(bench/load.py), the back office's (bench/backoffice.py) and the observatory's (bench/observatory.py)
need PostgreSQL on 127.0.0.1:5432; Redis on 127.0.0.1:6379 is used when it runs (the soak,
bench/soak.py, needs both: several nodes share them). The back office's
and the observatory's databases are generated on the first run of each scale and kept, as are the
archive packages' dossiers (bench/archives.py: 300 or 10,000, in the bench's own database)."""

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
SCALES = {
    # requests per round, rounds
    "small": {"requests": 300, "rounds": 3, "repeat": 50},
    "default": {"requests": 2000, "rounds": 5, "repeat": 500},
}


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline else self.value / self.baseline

    def line(self) -> str:
        text = f"BENCH {self.name} {self.value:.{2 if self.value < 100 else 1}f} {self.unit}"
        if self.baseline is not None:
            text += f" baseline={self.baseline:.1f} ratio={self.ratio:.3f}"
        return text


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())


def figures_print(figures) -> None:
    """`python -m bench.<module> [count]`: one module's figures alone, over a fresh demo database;
    `count` (how many acts, invoices, payments…) defaults to the module's own."""
    setup_django()
    for figure in figures(int(sys.argv[1])) if len(sys.argv) > 1 else figures():
        print(figure.line(), flush=True)


def requests_per_second(path: str, requests: int, rounds: int) -> float:
    """Median over rounds of requests/second through Django's full WSGI stack, in process: the
    figure measures Guichet's own work (routing, middleware, queries, templates), not a server's."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "bench.local",
        "SERVER_PORT": "80",
        "HTTP_HOST": "bench.local",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }

    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise RuntimeError(f"{path} answered {status}")

    def one() -> None:
        response = handler(dict(environ, **{"wsgi.input": io.BytesIO(b"")}), start_response)
        b"".join(response)
        response.close()

    for _ in range(min(50, requests)):  # warm-up: template loading, connection
        one()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(requests):
            one()
        samples.append(requests / (time.perf_counter() - start))
    return statistics.median(samples)


def samples_ms(function, repeat: int) -> list[float]:
    """`repeat` timings of `function`, in milliseconds, after up to 20 warm-up calls."""
    for _ in range(min(20, repeat)):
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def median_ms(function, repeat: int) -> float:
    return statistics.median(samples_ms(function, repeat))


def submission_validation_ms(repeat: int) -> float:
    """Median time to validate one 200-field submission with 100 conditions and 5 formulas."""
    from datetime import date

    from bench.generators import large_form
    from guichet.procedures.answers import answers_clean
    from guichet.procedures.definition import definition_validate

    definition, answers = large_form()
    form = definition_validate(definition)
    result = answers_clean(form, answers, today=date(2026, 11, 1))
    assert result.is_valid and len(result.values) == 200, result.errors
    return median_ms(lambda: answers_clean(form, answers, today=date(2026, 11, 1)), repeat)


def builder_save_ms(repeat: int) -> float:
    """Median time of the builder's « Enregistrer le champ » on a 200-field procedure: the whole
    HTTP request (session, CSRF-free test client, settings form, the edit, validation of the whole
    form, storage with its audit event, redirect), as an administrator's browser sends it."""
    from django.test import Client

    from bench.generators import large_form
    from guichet.accounts.models import Organisation, OrganisationRole, User
    from guichet.procedures.models import Procedure
    from guichet.procedures.services import procedure_create

    definition, _answers = large_form()
    organisation = Organisation.objects.order_by("pk").first()
    user, _ = User.objects.get_or_create(email="bench-builder@bench.local")
    OrganisationRole.objects.get_or_create(
        user=user, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    Procedure.objects.filter(slug="bench-200-champs").delete()
    procedure = procedure_create(
        actor=user, organisation=organisation, title="Banc d’essai", slug="bench-200-champs", definition=definition
    )
    client = Client(HTTP_HOST="bench.local")
    client.force_login(user)
    path = f"/administration/demarches/{procedure.slug}/formulaire/champ/f150/"
    state = {"revision": procedure.draft_revision, "n": 0}

    def save() -> None:
        state["n"] += 1
        data = {"revision": state["revision"], "label": f"Question {state['n']}", "required": "on", "max_length": "80"}
        response = client.post(path, data)
        if response.status_code != 302:
            raise RuntimeError(f"the builder refused the save: {response.status_code}")
        state["revision"] += 1

    return median_ms(save, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    setup_django()

    bare = requests_per_second("/__bench__/bare/", scale["requests"], scale["rounds"])
    home = requests_per_second("/", scale["requests"], scale["rounds"])
    figures = [
        Figure("bare_django_view_rps", bare, "req/s"),
        Figure("home_page_rps", home, "req/s", baseline=bare),
        Figure("submission_200_fields_validation_median", submission_validation_ms(scale["repeat"]), "ms"),
        Figure("builder_save_200_fields_median", builder_save_ms(scale["repeat"] // 5), "ms"),
    ]
    # Sealed acts: rendered, sealed and stored, one after the other (bench/acts.py).
    from bench.acts import acts_figures

    figures += acts_figures()
    # Invoices to companies: Factur-X generated, embedded, sealed, then validated (bench/invoices.py).
    from bench.invoices import invoices_figures

    figures += invoices_figures()
    # Supervised elimination: dossiers purged per second once their list is approved (bench/purge.py).
    from bench.purge import DOSSIERS, purge_figures

    figures += purge_figures(DOSSIERS if args.scale == "small" else 4 * DOSSIERS)
    # Webhooks: deliveries per second to a local receiver, delay from commit to receipt (bench/webhooks.py).
    from bench.webhooks import DELIVERIES, webhooks_figures

    figures += webhooks_figures(DELIVERIES if args.scale == "small" else 4 * DELIVERIES)
    # Online payments: confirmed per second against the stand-in PayFiP (bench/payments.py).
    from bench.payments import PAYMENTS, payments_figures

    figures += payments_figures(PAYMENTS if args.scale == "small" else 4 * PAYMENTS)
    # Data sources: a prefilled SIRET field's added latency on the form page (bench/sources.py).
    from bench.sources import REPEAT, sources_figures

    figures += sources_figures(REPEAT if args.scale == "small" else 4 * REPEAT)
    # HubEE: cases received from the local stand-in and filed as dossiers per second (bench/hubee.py).
    from bench.hubee import CASES, hubee_figures

    figures += hubee_figures(CASES if args.scale == "small" else 4 * CASES)
    # Files stored and read per second: the disk against a bucket on the local S3 server (bench/storage.py).
    from bench.storage import FILES, storage_figures

    figures += storage_figures(FILES if args.scale == "small" else 4 * FILES)
    for figure in figures:
        print(figure.line(), flush=True)
    # Archive packages (SEDA 2.2), built one after the other in a process of their own (bench/archives.py).
    from bench.archives import archives_figures

    for figure in archives_figures(args.scale):
        print(figure.line(), flush=True)
        figures.append(figure)
    # Under load: gunicorn on PostgreSQL, locust running the applicant's flows (bench/load.py),
    # each figure the median of three runs (one at the small scale).
    from bench.load import load_figures

    for figure in load_figures(args.scale, runs=1 if args.scale == "small" else 3):
        print(figure.line(), flush=True)
        figures.append(figure)
    # Several nodes for MINUTES at 80 % of their capacity, then with a web node killed (bench/soak.py).
    from bench.soak import soak_figures

    for figure in soak_figures(args.scale):
        print(figure.line(), flush=True)
        figures.append(figure)
    # The back office over 50,000 or 1,000,000 dossiers (bench/backoffice.py).
    from bench.backoffice import backoffice_figures

    for figure in backoffice_figures(args.scale):
        print(figure.line(), flush=True)
        figures.append(figure)

    # The observatory over 200,000 or 10,000,000 dossiers (bench/observatory.py).
    from bench.observatory import observatory_figures

    for figure in observatory_figures(args.scale):
        print(figure.line(), flush=True)
        figures.append(figure)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "scale": args.scale,
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "figures": [asdict(f) | {"ratio": f.ratio} for f in figures],
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
