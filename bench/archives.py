"""Archive packages (SIP, SEDA 2.2) built per second, and the memory it takes: `python -m bench.archives
--scale small` (300 dossiers) or `--scale default` (10,000), or `--count N`.

Generates N accepted dossiers of a two-attachment procedure (filed answers, two small files in the
private storage, their transition log) in the benchmark's database (bench.settings), in bulk, once
per N (a later run with the same N reuses them). Then, in a fresh process so that its memory is the
packages' alone, builds every dossier's package into a temporary folder, one after the other, as the
transfer worker does (answers PDF/A by WeasyPrint, JSON documents, files streamed with their SHA-512,
manifest validated against the SEDA 2.2 schema), and prints:

    BENCH archives_packages_per_s <v> packages/s
    BENCH archives_peak_memory_first_tenth <v> MB   (peak resident memory after the first tenth)
    BENCH archives_peak_memory <v> MB               (after all: the same figure, memory is constant)

Figures are elapsed time: on a machine shared with other work, the "#" line gives the CPU seconds."""

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.exports import _siret

ROOT = Path(__file__).resolve().parent.parent
SCALES = {"small": 300, "default": 10_000}
BATCH = 1000
APPLICANTS = 200
GENERATOR_VERSION = 1

DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [
                {"id": "objet", "type": "text", "label": "Objet de la demande", "required": True},
                {"id": "montant", "type": "decimal", "label": "Montant demandé", "unit": "€"},
                {"id": "justificatif", "type": "file", "label": "Justificatif de domicile"},
                {"id": "photo", "type": "file", "label": "Photographie du lieu"},
            ],
        }
    ]
}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0 0 obj << >> endobj\n" * 100 + b"%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 12 + b"\xff\xd9"


def setup_django(*, migrate: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def dossiers_generate(*, count: int) -> str:
    """A published procedure with `count` accepted dossiers, each with its filed answers naming two
    stored files and its three changes of state; its slug. Reused when made before with that count."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from guichet.accounts.models import Organisation, User
    from guichet.dossiers.models import Dossier, DossierFile, DossierSnapshot, DossierState, TransitionLog
    from guichet.procedures.models import InstructorGroup, Procedure, ProcedureVersion

    slug = f"banc-archives-{count}-v{GENERATOR_VERSION}"
    existing = Procedure.objects.filter(slug=slug).first()
    if existing is not None and existing.dossiers.count() == count:
        return slug
    if existing is not None:  # an interrupted run: start again under another name
        slug = f"{slug}-{int(time.time())}"
    now = timezone.now()
    storage = DossierFile._meta.get_field("content").storage
    with transaction.atomic():
        organisation, _ = Organisation.objects.get_or_create(
            slug="banc-archives", defaults={"name": "Banc d’essai des archives", "siret": _siret("99999997")}
        )
        procedure = Procedure.objects.create(
            organisation=organisation,
            title=f"Banc d’essai des archives ({count})",
            slug=slug,
            draft_definition=DEFINITION,
            status=Procedure.Status.PUBLISHED,
            published_at=now,
        )
        version = ProcedureVersion.objects.create(
            procedure=procedure, number=1, definition=DEFINITION, published_at=now
        )
        group = InstructorGroup.objects.create(procedure=procedure, name="Service instructeur", is_default=True)
        instructor, _ = User.objects.get_or_create(email="instructeur@banc-archives.local")
        applicants = User.objects.bulk_create(
            User(email=f"archives-{slug}-{n}@banc-essai.local", first_name="Camille", last_name=f"Martin {n}")
            for n in range(APPLICANTS)
        )
    for start in range(0, count, BATCH):
        with transaction.atomic():
            dossiers = []
            for index in range(start, min(start + BATCH, count)):
                applicant = applicants[index % APPLICANTS]
                submitted = now - timedelta(days=60, minutes=index)
                dossiers.append(
                    Dossier(
                        procedure=procedure,
                        version=version,
                        applicant=applicant,
                        number=f"A{procedure.pk}-{index:07d}",
                        state=DossierState.ACCEPTED,
                        group=group,
                        identity={"given_name": applicant.first_name, "family_name": applicant.last_name},
                        submitted_at=submitted,
                        instruction_started_at=submitted + timedelta(days=1),
                        decided_at=submitted + timedelta(days=20),
                        last_transition_at=submitted + timedelta(days=20),
                    )
                )
            Dossier.objects.bulk_create(dossiers, batch_size=500)
            files, snapshots, logs = [], [], []
            for index, dossier in enumerate(dossiers, start=start):
                pair = []
                for name, data, content_type in (
                    (f"facture-{index}.pdf", PDF, "application/pdf"),
                    (f"photo-{index}.jpg", JPEG, "image/jpeg"),
                ):
                    stored = DossierFile(
                        dossier=dossier,
                        name=name,
                        size=len(data),
                        content_type=content_type,
                        sha256=hashlib.sha256(data).hexdigest(),
                        uploaded_by=dossier.applicant,
                    )
                    stored.content.name = storage.save(f"dossiers/{dossier.pk}/{stored.key.hex}", ContentFile(data))
                    files.append(stored)
                    pair.append(stored)
                answers = {
                    "objet": f"Subvention pour le projet n°{index}",
                    "montant": f"{1000 + index % 9000}.50",
                    "justificatif": [_file_answer(pair[0])],
                    "photo": [_file_answer(pair[1])],
                }
                snapshots.append(
                    DossierSnapshot(
                        dossier=dossier,
                        version=version,
                        kind=DossierSnapshot.Kind.SUBMISSION,
                        answers=answers,
                        author=dossier.applicant,
                        created_at=dossier.submitted_at,
                    )
                )
                for transition, from_state, to_state, at, actor, role in (
                    ("submit", "draft", "submitted", dossier.submitted_at, dossier.applicant, "applicant"),
                    (
                        "start_instruction",
                        "submitted",
                        "in_instruction",
                        dossier.instruction_started_at,
                        instructor,
                        "instructor",
                    ),  # noqa: E501
                    ("accept", "in_instruction", "accepted", dossier.decided_at, instructor, "instructor"),
                ):
                    logs.append(
                        TransitionLog(
                            dossier=dossier,
                            transition=transition,
                            from_state=from_state,
                            to_state=to_state,
                            actor=actor,
                            actor_role=role,
                            at=at,
                        )
                    )
            DossierFile.objects.bulk_create(files, batch_size=500)
            DossierSnapshot.objects.bulk_create(snapshots, batch_size=500)
            TransitionLog.objects.bulk_create(logs, batch_size=500)
    return slug


def _file_answer(stored) -> dict:
    return {"name": stored.name, "size": stored.size, "content_type": stored.content_type, "key": str(stored.key)}


def packages_measure(*, slug: str) -> dict:
    """Build every package of the procedure, one after the other, into a temporary folder (each
    removed once written and re-checked by its size: the disk is not what is measured)."""
    from guichet.archives.manifest import seda_schema
    from guichet.archives.packages import package_write
    from guichet.dossiers.models import Dossier

    ids = list(Dossier.objects.filter(procedure__slug=slug).order_by("pk").values_list("pk", flat=True))
    seda_schema()  # loaded once per process, as the worker does
    tenth = max(1, len(ids) // 10)
    peak_tenth = 0.0
    total_bytes = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory(prefix="bench-archives-") as folder:
        for position, pk in enumerate(ids, start=1):
            dossier = Dossier.objects.select_related("procedure__organisation").get(pk=pk)
            path = Path(folder) / f"{pk}.zip"
            with open(path, "wb") as out:
                info = package_write(dossier=dossier, out=out)
            if path.stat().st_size != info.size or info.objects != 6:
                raise RuntimeError(f"dossier {pk}: package of {info.objects} objects, {info.size} bytes")
            total_bytes += info.size
            path.unlink()
            if position == tenth:
                peak_tenth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "packages": len(ids),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "bytes": total_bytes,
        "peak_first_tenth_mb": peak_tenth,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_in_child(slug: str) -> dict:
    command = [sys.executable, "-m", "bench.archives", "--measure", slug]
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout  # noqa: S603
    return json.loads(output.strip().splitlines()[-1])


def archives_figures(scale: str = "small", *, count: int | None = None) -> list:
    """Generate (or reuse) the dossiers in this process's database, measure in a fresh process."""
    from bench.run import Figure

    count = count or SCALES[scale]
    start = time.perf_counter()
    slug = dossiers_generate(count=count)
    print(f"# archives: {count} dossiers ready in {time.perf_counter() - start:.1f} s ({slug})", file=sys.stderr)
    result = measure_in_child(slug)
    if result["packages"] != count:
        raise RuntimeError(f"{result['packages']} packages built instead of {count}")
    print(f"# archives: {result}", file=sys.stderr)
    return [
        Figure("archives_packages_per_s", result["packages"] / result["seconds"], "packages/s"),
        Figure("archives_peak_memory_first_tenth", result["peak_first_tenth_mb"], "MB"),
        Figure("archives_peak_memory", result["peak_mb"], "MB", baseline=result["peak_first_tenth_mb"]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--count", type=int, help="dossiers (instead of the scale's)")
    parser.add_argument("--measure", metavar="SLUG", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.measure:
        setup_django(migrate=False)
        print(json.dumps(packages_measure(slug=args.measure)))
        return 0
    setup_django(migrate=True)
    for figure in archives_figures(args.scale, count=args.count):
        print(figure.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
