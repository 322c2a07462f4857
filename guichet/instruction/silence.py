"""Implicit decisions (« le silence vaut accord / rejet »): when a procedure's processing deadline has
passed without a decision, the platform decides as its silence rule says, with the legal mention that
motivates it (run by `manage.py deadlines_apply` and its task; docs/decisions/0008-deadlines.md)."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from guichet.dossiers.deadlines import RUNNING_STATES, dossier_waits_for_corrections, dossiers_silence_due
from guichet.dossiers.models import Dossier, TransitionLog, TransitionName
from guichet.dossiers.workflow import TransitionNotAllowed, dossier_transition
from guichet.procedures.models import Procedure

logger = logging.getLogger(__name__)


# What the administration's silence decides, and the legal mention that motivates it.
SILENCE_DECISIONS: dict[str, tuple[TransitionName, str]] = {
    Procedure.SilenceRule.ACCEPTANCE: (
        TransitionName.ACCEPT,
        "Décision implicite d’acceptation : en l’absence de réponse de l’administration dans le délai de "
        "{days}, le silence gardé vaut acceptation (article L. 231-1 du code des relations entre le "
        "public et l’administration).",
    ),
    Procedure.SilenceRule.REFUSAL: (
        TransitionName.REFUSE,
        "Décision implicite de rejet : en l’absence de réponse de l’administration dans le délai de "
        "{days}, le silence gardé vaut décision de rejet (article L. 231-4 du code des relations "
        "entre le public et l’administration).",
    ),
}

SILENCE_BATCH_SIZE = 100


@dataclass
class SilenceReport:
    """What `dossiers_silence_decide` did: the dossiers decided, those found decided or changed
    meanwhile (skipped), and those that failed (logged, tried again on the next run)."""

    decided: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def dossiers_silence_decide(*, now: datetime, batch_size: int = SILENCE_BATCH_SIZE) -> SilenceReport:
    """Decide, as the procedure says silence does, every dossier whose processing deadline passed
    at `now` without a decision (see deadlines.dossiers_silence_due): the ACCEPT or REFUSE
    transition, by the platform itself (role SYSTEM), motivated by the legal mention.

    The candidates are read in batches of `batch_size`; each dossier is then decided in a
    transaction of its own, under its row lock, after checking again that it is still due: one
    decided meanwhile by an instructor, or sent back for corrections, is skipped, and one dossier's
    failure never stops the others. Running it again, or twice at once, decides nothing twice."""
    report = SilenceReport()
    after = 0
    while True:
        batch = list(
            dossiers_silence_due(now).filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return report
        after = batch[-1]
        for pk in batch:
            try:
                log = _dossier_silence_decide(pk=pk, now=now)
            except TransitionNotAllowed:
                log = None
            except Exception:
                logger.exception("Décision implicite impossible sur le dossier %s", pk)
                report.failed.append(pk)
                continue
            (report.decided if log is not None else report.skipped).append(pk)


@transaction.atomic
def _dossier_silence_decide(*, pk: int, now: datetime) -> TransitionLog | None:
    # of=("self",): on PostgreSQL, lock the dossier's row and not its procedure's.
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("procedure").filter(pk=pk).first()
    if dossier is None:
        return None
    procedure = dossier.procedure
    still_due = (
        dossier.state in RUNNING_STATES
        and dossier.due_at is not None
        and dossier.due_at <= now
        and procedure.silence_rule in SILENCE_DECISIONS
        and not dossier_waits_for_corrections(dossier)
    )
    if not still_due:
        return None
    name, mention = SILENCE_DECISIONS[procedure.silence_rule]
    log = dossier_transition(
        dossier=dossier,
        name=name,
        actor=None,
        motivation=mention.format(days=_days(procedure.processing_days)),
        already_locked=True,
    )
    return log


def _days(count: int) -> str:
    return f"{count} jour" if count == 1 else f"{count} jours"
