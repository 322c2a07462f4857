"""Purge rate: dossiers eliminated per second once an elimination list is approved (each dossier in
its own transaction: digests of what goes, its two attachments removed from the private storage,
its messages, snapshots, motivations and acts' files emptied, its tombstone and audit event
written), over generated decided dossiers of a demo procedure. The list's proposal and visa (two
sealed PDFs) are made before the clock starts.

`python -m bench.purge [count]` runs it alone (over bench/settings.py's database, the demo loaded);
`purge_figures(count)` gives the figures to bench/run.py."""

import sys
import time
from pathlib import Path

DOSSIERS = 500


def _generate(count: int):
    """`count` decided dossiers of one organisation's procedure, each with answers, two stored
    attachments, two messages, its filed answers, its transitions and its retention ended."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from guichet.accounts.models import OrganisationRole, User
    from guichet.archives.models import ArchivalState, DossierRetention
    from guichet.dossiers.models import Dossier, DossierFile, DossierSnapshot, Message, TransitionLog
    from guichet.procedures.models import Procedure

    procedure = Procedure.objects.filter(status=Procedure.Status.PUBLISHED).select_related("organisation").first()
    version = procedure.versions.order_by("-number").first()
    applicant, _ = User.objects.get_or_create(email="bench-purge-usager@exemple.fr")
    archivist, _ = User.objects.get_or_create(email="bench-purge-archiviste@exemple.fr")
    OrganisationRole.objects.get_or_create(
        user=archivist, organisation=procedure.organisation, role=OrganisationRole.Role.ARCHIVIST
    )
    storage = DossierFile._meta.get_field("content").storage
    now = timezone.now()
    stamp = int(time.time())
    with transaction.atomic():
        dossiers = Dossier.objects.bulk_create(
            Dossier(
                procedure=procedure,
                version=version,
                applicant=applicant,
                number=f"P{stamp % 100000:05d}-{index:06d}",
                state="accepted",
                answers={"objet": f"Demande n°{index} de Camille Martin", "commentaire": "x" * 400},
                identity={"first_name": "Camille", "last_name": "Martin"},
                submitted_at=now,
                decided_at=now,
                last_transition_at=now,
            )
            for index in range(count)
        )
        files, messages, snapshots, logs, retentions = [], [], [], [], []
        for dossier in dossiers:
            for index in range(2):
                name = storage.save(f"dossiers/{dossier.pk}/bench-{index}", ContentFile(b"%PDF-1.7\n" + b"0" * 20_000))
                files.append(
                    DossierFile(
                        dossier=dossier,
                        content=name,
                        name=f"piece-{index}.pdf",
                        size=20_009,
                        content_type="application/pdf",
                        sha256="0" * 64,
                        uploaded_by=applicant,
                    )
                )
            messages += [
                Message(dossier=dossier, author=applicant, author_role="applicant", body="Bonjour, voici ma pièce."),
                Message(dossier=dossier, author=archivist, author_role="instructor", body="Merci, bien reçu."),
            ]
            snapshots.append(
                DossierSnapshot(
                    dossier=dossier,
                    version=version,
                    kind="submission",
                    answers=dossier.answers,
                    author=applicant,
                    created_at=now,
                )
            )
            logs.append(
                TransitionLog(
                    dossier=dossier,
                    transition="accept",
                    from_state="in_instruction",
                    to_state="accepted",
                    actor=archivist,
                    actor_role="instructor",
                    motivation="Dossier complet et conforme.",
                    at=now,
                )
            )
            retentions.append(
                DossierRetention(
                    dossier=dossier,
                    starts_on=now.date(),
                    ends_on=now.date(),
                    final_fate="detruire",
                    state=ArchivalState.TO_ELIMINATE,
                )
            )
        DossierFile.objects.bulk_create(files, batch_size=1000)
        Message.objects.bulk_create(messages, batch_size=1000)
        DossierSnapshot.objects.bulk_create(snapshots, batch_size=1000)
        TransitionLog.objects.bulk_create(logs, batch_size=1000)
        DossierRetention.objects.bulk_create(retentions, batch_size=1000)
    return procedure.organisation, archivist


def purge_figures(count: int = DOSSIERS) -> list:
    from bench.run import Figure
    from guichet.archives.elimination import elimination_list_approve, elimination_list_propose, elimination_run
    from guichet.archives.models import EliminationStatus

    organisation, archivist = _generate(count)
    elimination_list = elimination_list_propose(organisation=organisation)
    elimination_list = elimination_list_approve(elimination_list=elimination_list, actor=archivist)
    entries = elimination_list.entries.count()
    start = time.perf_counter()
    eliminated = elimination_run(elimination_list=elimination_list)
    elapsed = time.perf_counter() - start
    elimination_list.refresh_from_db()
    if eliminated != entries or elimination_list.status != EliminationStatus.DONE:
        raise RuntimeError(f"{eliminated} of {entries} dossiers eliminated")
    return [
        Figure("purge_dossiers_per_second", eliminated / elapsed, "dossiers/s"),
        Figure("purge_dossier_mean", 1000 * elapsed / eliminated, "ms"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.run import figures_print

    figures_print(purge_figures)
