"""`python -m bench.exports --rows 100000`: the instructors' CSV export of N filed dossiers, measured.

Generates N dossiers of a twelve-question procedure (with their filed snapshots) in the benchmark's
database (bench.settings: SQLite in var/bench/; with `--postgresql`, the PostgreSQL database
`guichet_bench_exports` on 127.0.0.1:5432, created if missing), in bulk, once per N (a later run with
the same N reuses them).
Then, in a fresh process so that its memory is the export's alone, exports every column to CSV and
prints:

    BENCH export_csv_rows_per_s <v> rows/s
    BENCH export_csv_peak_memory <v> MB      (the process's peak resident memory, Django included)

`--formats csv,xlsx,ods` measures the other formats too (same lines, with their name); `--columns
number,state,field:objet` a narrower export. Figures are elapsed time: on a machine shared with other
work, the CPU seconds printed on the "#" lines tell how much of it was the export's."""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000
APPLICANTS = 1000
POSTGRESQL_DATABASE = "guichet_bench_exports"

DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [
                {"id": "objet", "type": "text", "label": "Objet de la demande"},
                {"id": "description", "type": "textarea", "label": "Décrivez votre projet"},
                {"id": "montant", "type": "decimal", "label": "Montant demandé", "unit": "€"},
                {"id": "debut", "type": "date", "label": "Date de début"},
                {
                    "id": "categorie",
                    "type": "choice",
                    "label": "Vous êtes",
                    "options": [
                        {"value": "asso", "label": "Une association"},
                        {"value": "pro", "label": "Une entreprise"},
                        {"value": "commune", "label": "Une commune"},
                        {"value": "particulier", "label": "Un particulier"},
                    ],
                },
                {
                    "id": "themes",
                    "type": "multiple_choice",
                    "label": "Thèmes",
                    "options": [
                        {"value": "sport", "label": "Sport"},
                        {"value": "culture", "label": "Culture"},
                        {"value": "social", "label": "Action sociale"},
                    ],
                },
                {"id": "urgent", "type": "yes_no", "label": "Est-ce urgent ?"},
            ],
        },
        {
            "id": "coordonnees",
            "title": "Coordonnées",
            "fields": [
                {"id": "adresse", "type": "address", "label": "Adresse"},
                {"id": "telephone", "type": "phone", "label": "Téléphone"},
                {"id": "courriel", "type": "email", "label": "Courriel de contact"},
                {"id": "siret", "type": "siret", "label": "SIRET"},
                {"id": "justificatif", "type": "file", "label": "Justificatif"},
            ],
        },
    ]
}


def _answers(index: int) -> dict:
    return {
        "objet": f"Subvention pour le projet n°{index}",
        "description": "Organisation d’un tournoi intercommunal.\nAccueil de 200 jeunes sur deux jours.",
        "montant": f"{1000 + index % 9000}.50",
        "debut": f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "categorie": ("asso", "pro", "commune", "particulier")[index % 4],
        "themes": ["sport", "social"] if index % 2 else ["culture"],
        "urgent": index % 3 == 0,
        "adresse": {"street": f"{1 + index % 200} rue de la République", "postcode": "69002", "city": "Lyon"},
        "telephone": f"+3361{index % 10_000_000:07d}",
        "courriel": f"contact{index}@association.example",
        "siret": _siret(f"{index % 100_000_000:08d}"),  # a different organisation each time
        "justificatif": [
            {"name": f"budget-{index}.pdf", "size": 182_000, "content_type": "application/pdf", "key": f"k{index}"}
        ],
    }


def _siret(siren_body: str) -> str:
    from stdnum import luhn

    siren = siren_body + luhn.calc_check_digit(siren_body)
    return siren + "0001" + luhn.calc_check_digit(siren + "0001")


def setup_django(*, migrate: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def dossiers_generate(*, rows: int) -> str:
    """A published procedure with `rows` dossiers in instruction, each with its submission snapshot,
    made with bulk inserts; its slug. Reused when a previous run made the same number."""
    from django.db import transaction
    from django.utils import timezone

    from guichet.accounts.models import Organisation, User
    from guichet.dossiers.models import Dossier, DossierSnapshot, DossierState
    from guichet.procedures.models import InstructorGroup, Procedure, ProcedureVersion

    slug = f"banc-export-{rows}"
    existing = Procedure.objects.filter(slug=slug).first()
    if existing is not None and existing.dossiers.count() == rows:
        return slug
    if existing is not None:  # an interrupted run: start again under another name
        slug = f"{slug}-{int(time.time())}"
    now = timezone.now()
    with transaction.atomic():
        organisation, _ = Organisation.objects.get_or_create(
            slug="banc-export", defaults={"name": "Banc d’essai des exports", "siret": _siret("99999999")}
        )
        procedure = Procedure.objects.create(
            organisation=organisation,
            title=f"Banc d’essai des exports ({rows})",
            slug=slug,
            draft_definition=DEFINITION,
            status=Procedure.Status.PUBLISHED,
            published_at=now,
        )
        version = ProcedureVersion.objects.create(
            procedure=procedure, number=1, definition=DEFINITION, published_at=now
        )
        group = InstructorGroup.objects.create(procedure=procedure, name="Service instructeur", is_default=True)
        applicants = User.objects.bulk_create(
            User(email=f"export-{slug}-{n}@banc-essai.local", first_name="Camille", last_name=f"Martin {n}")
            for n in range(APPLICANTS)
        )
    for start in range(0, rows, BATCH):
        with transaction.atomic():
            batch = []
            for index in range(start, min(start + BATCH, rows)):
                applicant = applicants[index % APPLICANTS]
                submitted = now - timedelta(minutes=index)
                batch.append(
                    Dossier(
                        procedure=procedure,
                        version=version,
                        applicant=applicant,
                        number=f"B{procedure.pk}-{index:07d}",
                        state=DossierState.IN_INSTRUCTION,
                        answers=_answers(index),
                        group=group,
                        identity={
                            "given_name": applicant.first_name,
                            "family_name": applicant.last_name,
                            "email": applicant.email,
                            "certified_by": "",
                        },
                        submitted_at=submitted,
                        instruction_started_at=submitted,
                        last_transition_at=submitted,
                    )
                )
            # PostgreSQL with server-side binding takes at most 65,535 parameters a statement.
            Dossier.objects.bulk_create(batch, batch_size=1000)
            DossierSnapshot.objects.bulk_create(
                (
                    DossierSnapshot(
                        dossier_id=dossier.pk,
                        version=version,
                        kind=DossierSnapshot.Kind.SUBMISSION,
                        answers=dossier.answers,
                        author=dossier.applicant,
                        created_at=dossier.submitted_at,
                    )
                    for dossier in batch
                ),
                batch_size=1000,
            )
    return slug


def export_measure(*, slug: str, format: str, column_ids: list[str] | None = None) -> dict:
    """Export the procedure's dossiers with the columns named (all by default), in this process: rows,
    seconds (elapsed and of CPU), bytes, memory."""
    from guichet.dossiers.models import Dossier
    from guichet.instruction.exports import (
        ExportFormat,
        export_chunks,
        export_columns_available,
        export_columns_chosen,
        export_header,
        export_rows,
    )
    from guichet.procedures.models import Procedure

    procedure = Procedure.objects.get(slug=slug)
    if column_ids:
        columns = export_columns_chosen(procedure=procedure, ids=column_ids)
    else:
        columns = export_columns_available(procedure=procedure)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counted = 0

    def rows():
        nonlocal counted
        queryset = Dossier.objects.filter(procedure=procedure)
        for row in export_rows(queryset=queryset, columns=columns, typed=ExportFormat(format).typed_cells):
            counted += 1
            yield row

    size = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    with open(os.devnull, "wb") as sink:
        for chunk in export_chunks(header=export_header(columns), rows=rows(), format=ExportFormat(format)):
            size += len(chunk)
            sink.write(chunk)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "rows": counted,
        "columns": len(columns),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "bytes": size,
        # Linux gives kilobytes.
        "rss_before_mb": rss_before / 1024,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv", help="comma-separated: csv, xlsx, ods")
    parser.add_argument("--columns", default="", help="comma-separated column ids (default: every column)")
    parser.add_argument("--postgresql", action="store_true", help=f"on PostgreSQL ({POSTGRESQL_DATABASE})")
    parser.add_argument("--measure", metavar="SLUG", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    formats = [name.strip() for name in args.formats.split(",") if name.strip()]
    column_ids = [name.strip() for name in args.columns.split(",") if name.strip()]
    if args.measure:
        setup_django(migrate=False)
        print(json.dumps(export_measure(slug=args.measure, format=formats[0], column_ids=column_ids)))
        return 0

    if args.postgresql:
        from bench.server import SERVER, database_exists, psql

        if not database_exists(POSTGRESQL_DATABASE):
            psql(f"CREATE DATABASE {POSTGRESQL_DATABASE}")
        # Read by bench.settings, here and in the measuring child process.
        os.environ["BENCH_DATABASE_URL"] = f"{SERVER}/{POSTGRESQL_DATABASE}"
    setup_django(migrate=True)
    start = time.perf_counter()
    slug = dossiers_generate(rows=args.rows)
    if args.postgresql:  # what autovacuum would have done by then: hint bits and statistics
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) dossiers_dossier, dossiers_dossiersnapshot")
    print(f"# {args.rows} dossiers ready in {time.perf_counter() - start:.1f} s ({slug})", file=sys.stderr)
    for format in formats:
        command = [sys.executable, "-m", "bench.exports", "--measure", slug, "--formats", format]
        command += ["--columns", args.columns] if column_ids else []
        output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout  # noqa: S603
        result = json.loads(output.strip().splitlines()[-1])
        if result["rows"] != args.rows:
            raise RuntimeError(f"{format}: {result['rows']} rows exported instead of {args.rows}")
        print(f"# {format}: {result}", file=sys.stderr)
        print(f"BENCH export_{format}_rows_per_s {result['rows'] / result['seconds']:.0f} rows/s", flush=True)
        print(f"BENCH export_{format}_peak_memory {result['peak_mb']:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
