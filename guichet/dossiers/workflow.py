"""The dossier workflow: the allowed transitions as a table, and the one function that applies
them under a row lock and writes the transition log.

The table is the single source of what may happen to a dossier: who may trigger each transition,
whether a motivation is required, which act it issues, which email tells the applicant and which
notice the instructors get. The instructor's page, the bulk actions, the API and the follow-up chain
(instruction/followup.py) all read it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from guichet.accounts.selectors import applicant_identity_for_dossier
from guichet.core.audit import audit_record
from guichet.core.hooks import Hook
from guichet.core.models import AuditAction
from guichet.core.prepared_writes import row_insert, row_update
from guichet.core.transactions import atomic_unless_held

from .actors import Actor, ServiceActor, actor_label, actor_user
from .changes import dossier_changed
from .deadlines import due_at_on_instruction_start, due_at_on_submission
from .models import ActKind, CorrectionRequest, Dossier, DossierState, TransitionLog, TransitionName
from .numbering import dossier_number_next
from .routing import dossier_route
from .search import dossier_search_expression
from .selectors import instructor_can_act_on

Role = TransitionLog.ActorRole


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
    # Found by the back office's search from its filing on: written by the filing's own UPDATE.
    vector = dossier_search_expression(dossier)
    if vector is not None:
        dossier.search_vector = vector


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


_UNREAD = object()
# Written by every transition (`updated_at` as save() writes it: the time of the write).
_ALWAYS_WRITTEN = ("state", "last_transition_at", "updated_at")


def _values(dossier: Dossier) -> dict[str, object]:
    return {field.attname: dossier.__dict__.get(field.attname, _UNREAD) for field in dossier._meta.concrete_fields}


def _written(dossier: Dossier, before: dict[str, object]) -> list[str]:
    """The fields that the transition set on the locked dossier (a value that is not the one read):
    what its UPDATE writes, besides those every transition writes. Effects assign new values: a
    value changed in place (a dict mutated) would not be seen."""
    meta = dossier._meta
    changed = [
        meta.get_field(attname).name
        for attname, value in before.items()
        if dossier.__dict__.get(attname, _UNREAD) is not value
    ]
    return list(dict.fromkeys([*_ALWAYS_WRITTEN, *changed]))


def _expressions_forget(dossier: Dossier, names: list[str]) -> None:
    """A value written as an SQL expression (the search vector) is not known here once saved: the
    field is left unread, as a deferred one (read from the database if anyone asks)."""
    for name in names:
        attname = dossier._meta.get_field(name).attname
        if hasattr(dossier.__dict__.get(attname), "resolve_expression"):
            del dossier.__dict__[attname]


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
    # What follows it, once committed (instruction/followup.py runs it): the sealed act it issues,
    # the email that tells the applicant (a template pair, core/emails.py) and the instructors'
    # notice (a kind of instruction.InstructorNotification).
    act: ActKind | None = None
    applicant_email: str | None = None
    instructors_notice: str | None = None

    @property
    def audit_action(self) -> AuditAction:
        return AuditAction(f"dossier.{self.name}")

    @property
    def label(self) -> str:
        return str(self.name.label)

    def allows(self, state: str, role: "Role") -> bool:
        """Whether someone acting in `role` may apply it to a dossier in `state`."""
        if role not in self.roles:
            return False
        return state in self.sources or (role == Role.SYSTEM and state in self.system_sources)


S = DossierState
# An implicit decision ("silence vaut accord / rejet", instruction.silence.dossiers_silence_decide)
# also falls on a dossier that no instructor opened: the law counts the deadline from the filing,
# not from the start of the instruction. The platform then decides straight from SUBMITTED rather
# than passing through START_INSTRUCTION, which would log an instruction that nobody made (and only
# instructors start one). Instructors still open a dossier before deciding, which also keeps them
# from deciding on one that waits for the applicant's corrections (the platform checks that itself).
SILENCE_SOURCES = frozenset({S.SUBMITTED})
STATE_EMAIL = "dossiers/state_changed"
TRANSITIONS: dict[TransitionName, Transition] = {
    t.name: t
    for t in (
        Transition(TransitionName.SUBMIT, frozenset({S.DRAFT}), S.SUBMITTED, frozenset({Role.APPLICANT}),
                   effect=_on_submit, act=ActKind.RECEIPT, applicant_email="dossiers/submitted",
                   instructors_notice="new_dossier"),
        # The applicant sends the corrections asked (dossiers.services.dossier_corrections_submit):
        # the dossier stays filed, its deadline runs again, the instructors are told.
        Transition(TransitionName.SUBMIT_CORRECTIONS, frozenset({S.SUBMITTED}), S.SUBMITTED,
                   frozenset({Role.APPLICANT}), instructors_notice="correction"),
        Transition(TransitionName.START_INSTRUCTION, frozenset({S.SUBMITTED}), S.IN_INSTRUCTION,
                   frozenset({Role.INSTRUCTOR}), effect=_on_start_instruction, after=_after_start_instruction,
                   applicant_email=STATE_EMAIL),
        Transition(TransitionName.REQUEST_CORRECTION, frozenset({S.IN_INSTRUCTION}), S.SUBMITTED,
                   frozenset({Role.INSTRUCTOR}), motivation_required=True, after=_after_correction_request,
                   applicant_email=STATE_EMAIL),
        Transition(TransitionName.ACCEPT, frozenset({S.IN_INSTRUCTION}), S.ACCEPTED,
                   frozenset({Role.INSTRUCTOR, Role.SYSTEM}), effect=_on_decision, system_sources=SILENCE_SOURCES,
                   act=ActKind.ACCEPTANCE, applicant_email=STATE_EMAIL),
        Transition(TransitionName.REFUSE, frozenset({S.IN_INSTRUCTION}), S.REFUSED,
                   frozenset({Role.INSTRUCTOR, Role.SYSTEM}), motivation_required=True, effect=_on_decision,
                   system_sources=SILENCE_SOURCES, act=ActKind.REFUSAL, applicant_email=STATE_EMAIL),
        Transition(TransitionName.CLOSE, frozenset({S.IN_INSTRUCTION}), S.CLOSED,
                   frozenset({Role.INSTRUCTOR}), motivation_required=True, effect=_on_decision,
                   applicant_email=STATE_EMAIL),
        Transition(TransitionName.REOPEN, DossierState.decided(), S.IN_INSTRUCTION,
                   frozenset({Role.INSTRUCTOR}), motivation_required=True, effect=_on_reopen,
                   applicant_email=STATE_EMAIL),
        Transition(TransitionName.WITHDRAW, frozenset({S.SUBMITTED, S.IN_INSTRUCTION}), S.WITHDRAWN,
                   frozenset({Role.APPLICANT}), effect=_on_withdraw, after=_after_withdraw,
                   instructors_notice="withdrawal"),
    )
}  # fmt: skip

# Inside the transaction of every transition, the dossier locked, before anything changes: the apps
# above may refuse it by raising TransitionNotAllowed with a message for the person who asked
# (archives refuses to reopen a dossier that the archives hold, or to touch an eliminated one).
transition_checked = Hook(
    "transition_checked",
    doc="A transition is about to be applied, inside its transaction, the dossier locked: listeners "
    "receive `dossier`, `transition` and `actor`, and refuse it by raising TransitionNotAllowed.",
)

# Inside the transaction of every transition, once logged: the apps above start what follows it
# (instruction connects the follow-up chain).
transition_applied = Hook(
    "transition_applied",
    doc="A transition was just applied and logged, inside its transaction: listeners receive "
    "`dossier`, `log` and `transition`.",
)


def transitions_for_role(role: Role) -> list[TransitionName]:
    """Every transition that someone acting in `role` may apply, from one state or another."""
    return [t.name for t in TRANSITIONS.values() if role in t.roles]


def transitions_allowed(state: str, role: Role) -> list[Transition]:
    """The transitions that someone acting in `role` may apply to a dossier in `state`, in the
    table's order (the order of the instructor's buttons)."""
    return [t for t in TRANSITIONS.values() if t.allows(state, role)]


def _role_of(actor: Actor | None, dossier: Dossier, transition: Transition) -> Role:
    if actor is None:
        if Role.SYSTEM in transition.roles:
            return Role.SYSTEM
    elif isinstance(actor, ServiceActor):
        # Software on the instructors' side (a service account): never the applicant.
        if Role.INSTRUCTOR in transition.roles and instructor_can_act_on(actor, dossier):
            return Role.INSTRUCTOR
    elif Role.APPLICANT in transition.roles and dossier.applicant_id == actor.pk:
        return Role.APPLICANT
    elif Role.INSTRUCTOR in transition.roles and instructor_can_act_on(actor, dossier):
        return Role.INSTRUCTOR
    raise TransitionForbidden(f"Vous n’avez pas le droit de faire « {transition.name.label} » sur ce dossier.")


def dossier_transition(
    *, dossier: Dossier, name: TransitionName, actor: Actor | None, motivation: str = "", already_locked: bool = False
) -> TransitionLog:
    """Apply one transition to a dossier and log it.

    The dossier row is locked first and its state read again, so that of two concurrent
    requests (a double click, two instructors) only the first one applies; the other gets
    TransitionNotAllowed. `actor` None means the platform decides by itself (a deadline); a
    ServiceActor is software acting as the instructors (logged without a person, audited by its label).
    `already_locked` says that the caller read `dossier` under that lock already, in this transaction
    (which is then the transition's: no savepoint of its own), and saved whatever it changed on it
    before: the transition writes only the fields that it sets itself."""
    with atomic_unless_held(already_locked):
        return _transition_apply(dossier, name, actor, motivation, already_locked=already_locked)


def _transition_apply(
    dossier: Dossier, name: TransitionName, actor: Actor | None, motivation: str, *, already_locked: bool
) -> TransitionLog:
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
    before = _values(locked)
    transition_checked.send(dossier=locked, transition=transition, actor=actor)

    now = timezone.now()
    from_state = locked.state
    locked.state = transition.target
    locked.last_transition_at = now
    if transition.effect is not None:
        transition.effect(locked, now)
    # What the transition changed, not the whole row (the answers stay as the locked read found them).
    written = _written(locked, before)
    row_update(locked, written)
    _expressions_forget(locked, written)
    log = TransitionLog(
        dossier=locked,
        transition=transition.name,
        from_state=from_state,
        to_state=transition.target,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        actor_role=role,
        motivation=motivation,
        at=now,
    )
    row_insert(log)
    if transition.after is not None:
        transition.after(locked, log)
    dossier_changed(locked)
    transition_applied.send(dossier=locked, log=log, transition=transition)
    audit_record(
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=transition.audit_action,
        target=locked,
        details={"from": from_state, "to": transition.target, "role": role, "number": locked.number},
    )
    # The caller's object reflects what was saved (without reading it again).
    dossier.fields_copy(locked)
    return log
