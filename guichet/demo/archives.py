"""The demo's archives: the town hall's electoral registration requests are kept one year after their
decision, then transferred to the archives (the folder target in development: var/archives/depot/).
A few dossiers decided well over a year ago, taken over from the previous system, have reached that
point: the demo transfers them and draws up the elimination list that awaits the archivist's visa."""

import random
from datetime import timedelta

from django.utils import timezone

from guichet.accounts.models import User
from guichet.accounts.selectors import applicant_identity_for_dossier
from guichet.archives.elimination import elimination_lists_propose_due
from guichet.archives.retention import retention_review
from guichet.archives.transfers import transfers_run
from guichet.dossiers.models import Dossier, DossierState
from guichet.procedures.models import Procedure

from .answers import fake_answers
from .observatory import _history_logs

ARCHIVED_PROCEDURE = "inscription-liste-electorale"
ARCHIVED_PREFIX = "ARC"  # dossiers of the previous system, decided 16 to 20 months ago
ARCHIVED_COUNT = 8


def _archived_history(procedure: Procedure, instructor: User, applicants: list[User]) -> None:
    if Dossier.objects.filter(number__startswith=f"{ARCHIVED_PREFIX}-").exists():
        return
    rng = random.Random(17)
    now = timezone.now()
    version = procedure.latest_version
    group = procedure.instructor_groups.get(is_default=True)
    dossiers, lives = [], []
    for index in range(ARCHIVED_COUNT):
        submitted = now - timedelta(days=rng.uniform(490, 600))
        started = submitted + timedelta(hours=rng.uniform(2, 48))
        decided = started + timedelta(days=rng.uniform(1, 10))
        accepted = index % 4 != 3
        applicant = applicants[index % len(applicants)]
        dossiers.append(
            Dossier(
                procedure=procedure, version=version, applicant=applicant,
                number=f"{ARCHIVED_PREFIX}-{timezone.localtime(submitted).year}-{index + 1:04d}",
                state=DossierState.ACCEPTED if accepted else DossierState.REFUSED,
                answers=fake_answers(version.definition, rng), group=group,
                identity=applicant_identity_for_dossier(applicant), submitted_at=submitted,
                instruction_started_at=started, decided_at=decided, last_transition_at=decided,
            )
        )  # fmt: skip
        lives.append((submitted, started, decided, accepted))
    dossiers = Dossier.objects.bulk_create(dossiers)
    for dossier, (submitted, _started, decided, _accepted) in zip(dossiers, lives, strict=True):
        dossier.created_at, dossier.updated_at = submitted - timedelta(minutes=30), decided
    Dossier.objects.bulk_update(dossiers, ["created_at", "updated_at"])
    _history_logs(dossiers, lives, instructor)


def demo_archives_load(*, instructors: dict[str, User], applicants: list[User]) -> None:
    """The archived history, the retention round, the transfers (when an archival target is
    configured: the folder, in development) and the elimination list awaiting the visa."""
    procedure = Procedure.objects.filter(slug=ARCHIVED_PROCEDURE).first()
    if procedure is None:
        return
    _archived_history(procedure, instructors[ARCHIVED_PROCEDURE], applicants)
    retention_review()
    for _ in range(3):  # a folder answers at once; Vitam would be followed by the worker
        report = transfers_run()
        if not (report.sent or report.waiting):
            break
    elimination_lists_propose_due()
