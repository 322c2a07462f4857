"""The dossier workflow: the allowed transitions as a table, and the one function that applies
them under a row lock and writes the transition log."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import User
from guichet.accounts.selectors import applicant_identity_for_dossier
from guichet.core.audit import audit_record
from guichet.dossiers.models import CorrectionRequest, Dossier, DossierState
from guichet.dossiers.numbering import dossier_number_next

from .deadlines import due_at_on_instruction_start, due_at_on_submission
from .models import TransitionLog
from .routing import dossier_route
from .selectors import instructor_can_act_on

Role = TransitionLog.ActorRole


class TransitionName(models.TextChoices):
    SUBMIT = "submit", _("Déposer le dossier")
    START_INSTRUCTION = "start_instruction", _("Passer en instruction")
    REQUEST_CORRECTION = "request_correction", _("Demander une correction")
    ACCEPT = "accept", _("Accepter")
    REFUSE = "refuse", _("Refuser")
    CLOSE = "close", _("Classer sans suite")
    REOPEN = "reopen", _("Rouvrir l’instruction")
    WITHDRAW = "withdraw", _("Retirer le dossier")


class TransitionError(Exception):
    """A transition that cannot be applied; the message is for the person who asked."""


class TransitionNotAllowed(TransitionError):
    pass


class TransitionForbidden(TransitionError):
    pass


class MotivationRequired(TransitionError):
    pass


def _on_submit(dossier: Dossier, now: datetime) -> None:
    if dossier.number is None:
        dossier.number = dossier_number_next(now)
        dossier.submitted_at = now
    # Who filed it, as known at this moment (certified by FranceConnect, or the account's names).
    dossier.identity = applicant_identity_for_dossier(dossier.applicant)
    if dossier.group_id is None:
        dossier.group = dossier_route(dossier)
    dossier.due_at = due_at_on_submission(procedure=dossier.procedure, submitted_at=dossier.submitted_at)


def _on_start_instruction(dossier: Dossier, now: datetime) -> None:
    dossier.instruction_started_at = now
    dossier.due_at = due_at_on_instruction_start(dossier=dossier, now=now)


def _on_decision(dossier: Dossier, now: datetime) -> None:
    dossier.decided_at = now
    dossier.due_at = None


def _on_reopen(dossier: Dossier, now: datetime) -> None:
    # No deadline runs again (due_at stays null): the one the law gives ended with the decision,
    # and a running one would have a reopened dossier decided again by the platform's silence.
    dossier.decided_at = None


def _on_withdraw(dossier: Dossier, now: datetime) -> None:
    dossier.due_at = None


def _after_correction_request(dossier: Dossier, log: TransitionLog) -> None:
    # The applicant answers it by resubmitting (dossiers.services.dossier_corrections_submit).
    CorrectionRequest.objects.create(
        dossier=dossier, requested_by=log.actor, reason=log.motivation, due_at_when_requested=dossier.due_at
    )
    # The deadline's clock stops while the dossier waits for the applicant; the request keeps where
    # it stood, and the resubmission sets it going again (suspended or restarted, per procedure).
    dossier.due_at = None
    dossier.save(update_fields=["due_at"])


def _after_start_instruction(dossier: Dossier, log: TransitionLog) -> None:
    # An instructor who takes back a dossier sent for corrections, without waiting for them, drops
    # the request: the applicant has nothing left to correct, and a new request can be made later.
    # (Its deadline runs again from where it stopped: deadlines.due_at_on_instruction_start.)
    CorrectionRequest.objects.filter(dossier=dossier, resolved_at__isnull=True).update(resolved_at=log.at)


def _after_withdraw(dossier: Dossier, log: TransitionLog) -> None:
    # Nothing is left to correct on a dossier that its applicant withdrew.
    CorrectionRequest.objects.filter(dossier=dossier, resolved_at__isnull=True).update(resolved_at=log.at)


@dataclass(frozen=True)
class Transition:
    name: TransitionName
    sources: frozenset[DossierState]
    target: DossierState
    roles: frozenset[Role]
    motivation_required: bool = False
    effect: Callable[[Dossier, datetime], None] | None = None
    # States from which only the platform itself (role SYSTEM) may apply it, on top of `sources`.
    system_sources: frozenset[DossierState] = frozenset()
    # Runs once the transition is logged, for the records that hang on it.
    after: Callable[[Dossier, TransitionLog], None] | None = None


S = DossierState
# An implicit decision ("silence vaut accord / rejet", instruction.services.dossiers_silence_decide)
# also falls on a dossier that no instructor opened: the law counts the deadline from the filing,
# not from the start of the instruction. The platform then decides straight from SUBMITTED rather
# than passing through START_INSTRUCTION, which would log an instruction that nobody made (and only
# instructors start one). Instructors still open a dossier before deciding, which also keeps them
# from deciding on one that waits for the applicant's corrections (the platform checks that itself).
SILENCE_SOURCES = frozenset({S.SUBMITTED})
TRANSITIONS: dict[TransitionName, Transition] = {
    t.name: t
    for t in (
        Transition(TransitionName.SUBMIT, frozenset({S.DRAFT}), S.SUBMITTED, frozenset({Role.APPLICANT}),
                   effect=_on_submit),
        Transition(TransitionName.START_INSTRUCTION, frozenset({S.SUBMITTED}), S.IN_INSTRUCTION,
                   frozenset({Role.INSTRUCTOR}), effect=_on_start_instruction, after=_after_start_instruction),
        Transition(TransitionName.REQUEST_CORRECTION, frozenset({S.IN_INSTRUCTION}), S.SUBMITTED,
                   frozenset({Role.INSTRUCTOR}), motivation_required=True, after=_after_correction_request),
        Transition(TransitionName.ACCEPT, frozenset({S.IN_INSTRUCTION}), S.ACCEPTED,
                   frozenset({Role.INSTRUCTOR, Role.SYSTEM}), effect=_on_decision, system_sources=SILENCE_SOURCES),
        Transition(TransitionName.REFUSE, frozenset({S.IN_INSTRUCTION}), S.REFUSED,
                   frozenset({Role.INSTRUCTOR, Role.SYSTEM}), motivation_required=True, effect=_on_decision,
                   system_sources=SILENCE_SOURCES),
        Transition(TransitionName.CLOSE, frozenset({S.IN_INSTRUCTION}), S.CLOSED,
                   frozenset({Role.INSTRUCTOR}), motivation_required=True, effect=_on_decision),
        Transition(TransitionName.REOPEN, DossierState.decided(), S.IN_INSTRUCTION,
                   frozenset({Role.INSTRUCTOR}), motivation_required=True, effect=_on_reopen),
        Transition(TransitionName.WITHDRAW, frozenset({S.SUBMITTED, S.IN_INSTRUCTION}), S.WITHDRAWN,
                   frozenset({Role.APPLICANT}), effect=_on_withdraw, after=_after_withdraw),
    )
}  # fmt: skip


def transitions_available(dossier: Dossier) -> list[Transition]:
    """The transitions that the dossier's current state allows to people (whoever asks); those
    only the platform applies by itself from that state are left out."""
    return [t for t in TRANSITIONS.values() if dossier.state in t.sources]


def _role_of(actor: User | None, dossier: Dossier, transition: Transition) -> Role:
    if actor is None:
        if Role.SYSTEM in transition.roles:
            return Role.SYSTEM
    elif Role.APPLICANT in transition.roles and dossier.applicant_id == actor.pk:
        return Role.APPLICANT
    elif Role.INSTRUCTOR in transition.roles and instructor_can_act_on(actor, dossier):
        return Role.INSTRUCTOR
    raise TransitionForbidden(f"Vous n’avez pas le droit de faire « {transition.name.label} » sur ce dossier.")


@transaction.atomic
def dossier_transition(
    *, dossier: Dossier, name: TransitionName, actor: User | None, motivation: str = "", already_locked: bool = False
) -> TransitionLog:
    """Apply one transition to a dossier and log it.

    The dossier row is locked first and its state read again, so that of two concurrent
    requests (a double click, two instructors) only the first one applies; the other gets
    TransitionNotAllowed. `actor` None means the platform decides by itself (a deadline).
    `already_locked` says that the caller read `dossier` under that lock already, in this transaction."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(f"Transition inconnue : « {name} ».")
    if already_locked:
        locked = dossier
    else:
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        for relation in (Dossier.applicant, Dossier.procedure):  # what the caller already read
            if relation.is_cached(dossier) and getattr(dossier, relation.field.attname) == getattr(
                locked, relation.field.attname
            ):
                setattr(locked, relation.field.name, getattr(dossier, relation.field.name))
    if locked.state not in transition.sources and not (actor is None and locked.state in transition.system_sources):
        raise TransitionNotAllowed(
            f"Impossible de faire « {transition.name.label} » : le dossier est "
            f"« {DossierState(locked.state).label.lower()} »."
        )
    role = _role_of(actor, locked, transition)
    motivation = motivation.strip()
    if transition.motivation_required and not motivation:
        raise MotivationRequired(f"Une motivation est obligatoire pour « {transition.name.label.lower()} ».")

    now = timezone.now()
    from_state = locked.state
    locked.state = transition.target
    locked.last_transition_at = now
    if transition.effect is not None:
        transition.effect(locked, now)
    locked.save()
    log = TransitionLog.objects.create(
        dossier=locked,
        transition=transition.name,
        from_state=from_state,
        to_state=transition.target,
        actor=actor,
        actor_role=role,
        motivation=motivation,
        at=now,
    )
    if transition.after is not None:
        transition.after(locked, log)
    audit_record(
        actor=actor,
        action=f"dossier.{transition.name}",
        target=locked,
        details={"from": from_state, "to": transition.target, "role": role, "number": locked.number},
    )
    # The caller's object reflects what was saved (without reading it again).
    dossier.fields_copy(locked)
    return log
