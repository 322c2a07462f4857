from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property

from django.db.models import Exists, OuterRef, QuerySet

from guichet.accounts.backends import SESSION_USER_RELATED, session_user_annotations
from guichet.accounts.models import User
from guichet.core.prepared import PreparedQuery
from guichet.procedures.models import InstructorMembership
from guichet.procedures.selectors import version_form

from .actors import Actor, ServiceActor
from .models import CorrectionRequest, Dossier, DossierSnapshot, DossierState, Opinion, TransitionLog, TransitionName
from .sourced import HAS_SOURCED_VALUES, sourced_values_exist


def dossiers_of_applicant(user: User) -> QuerySet[Dossier]:
    """The dossiers an applicant sees: their own, and only theirs."""
    # The forms are large: pages read them through procedures.selectors.version_form (kept in memory).
    return dossiers_of_applicant_id(user.pk)


# Read at every request of the applicant's pages: compiled once (core/prepared.py).
# With whether it has sourced values: most have none, and then need no query for them (sourced.py).
def _applicant_dossier(applicant: int, pk: int) -> QuerySet[Dossier]:
    return dossiers_of_applicant_id(applicant).filter(pk=pk).annotate(**{HAS_SOURCED_VALUES: sourced_values_exist()})


def _applicant_dossier_locked(applicant: int, pk: int) -> QuerySet[Dossier]:
    # Only the dossier's row is locked, not its procedure's.
    return _applicant_dossier(applicant, pk).select_for_update(of=("self",))


def _applicant_dossier_with_opinion(applicant: int, pk: int) -> QuerySet[Dossier]:
    # The confirmation page's: with whether the applicant gave their opinion (`has_opinion`).
    return _applicant_dossier(applicant, pk).annotate(
        has_opinion=Exists(Opinion.objects.filter(dossier=OuterRef("pk")))
    )


def _with_session_user(build: Callable[[int, int], QuerySet[Dossier]]) -> PreparedQuery:
    """`build`'s query with its applicant read as the session's user is (accounts/backends.py)."""
    related = [f"applicant__{name}" for name in SESSION_USER_RELATED]

    def with_user(applicant: int, pk: int) -> QuerySet[Dossier]:
        return (
            build(applicant, pk).select_related("applicant", *related).annotate(**session_user_annotations("applicant"))
        )

    return PreparedQuery(with_user)


_BUILDS = {
    (False, False): _applicant_dossier,
    (True, False): _applicant_dossier_locked,
    (False, True): _applicant_dossier_with_opinion,
}
_APPLICANT_DOSSIER = {variant: PreparedQuery(build) for variant, build in _BUILDS.items()}
_SESSION_USER_DOSSIER = {variant: _with_session_user(build) for variant, build in _BUILDS.items()}


def dossiers_of_applicant_id(applicant_id: int) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(applicant_id=applicant_id)
        .select_related("procedure", "procedure__organisation")
        .defer("procedure__draft_definition")
    )


def dossier_for_applicant(user: User, pk: int, *, for_update: bool = False, with_opinion: bool = False) -> Dossier:
    """One dossier of the applicant; raises Dossier.DoesNotExist for anyone else's. `for_update`
    locks the dossier's row (only it, not its procedure's) until the end of the caller's transaction;
    `with_opinion` says in `has_opinion` whether the applicant gave their opinion on it."""
    dossier = _APPLICANT_DOSSIER[_variant(for_update, with_opinion)].get(user.pk, pk)
    dossier.applicant = user  # already known: reading it again would cost a query
    return dossier


def dossier_with_session_user(
    user_id: int, pk: int, *, for_update: bool = False, with_opinion: bool = False
) -> Dossier:
    """The dossier `pk` of the person whose key the session holds (`user_id`), as
    `dossier_for_applicant` reads it, with its applicant read in the same query as the session's user
    is read (SESSION_USER_RELATED, session_user_annotations): one query instead of two. Raises
    Dossier.DoesNotExist for anyone else's. Neither may be used before the session is checked with
    that user (accounts.backends.session_user_known, then Django's `request.user`)."""
    dossier = _SESSION_USER_DOSSIER[_variant(for_update, with_opinion)].get(user_id, pk)
    applicant = dossier.applicant
    for name in _session_user_names():
        setattr(applicant, name, getattr(dossier, name))
    return dossier


def _variant(for_update: bool, with_opinion: bool) -> tuple[bool, bool]:
    if for_update and with_opinion:
        raise ValueError("a dossier is read either locked or with its opinion")
    return for_update, with_opinion


@cache
def _session_user_names() -> tuple[str, ...]:
    return tuple(session_user_annotations("applicant"))


class _FiledNumbers(Collection[str]):
    """The numbers of an applicant's filed dossiers, read from the database on first use only."""

    def __init__(self, user: User):
        self._user = user

    @cached_property
    def _numbers(self) -> set[str]:
        filed = Dossier.objects.filter(applicant=self._user).exclude(number=None)
        return set(filed.values_list("number", flat=True))

    def __contains__(self, number: object) -> bool:
        return number in self._numbers

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)


def applicant_dossier_numbers(user: User) -> Collection[str]:
    """The numbers of the applicant's filed dossiers: what a linked-dossier answer may name. Lazy:
    a form without such a field costs no query."""
    return _FiledNumbers(user)


@dataclass(frozen=True)
class UsualDelay:
    median_days: int
    decisions: int


def procedure_usual_delay(procedure_id: int, *, sample: int = 200) -> UsualDelay | None:
    """How long the procedure's latest decisions took after submission (median, in days), once
    there are some: what the procedure page tells applicants to expect."""
    pairs = (
        Dossier.objects.filter(procedure_id=procedure_id, state__in=DossierState.decided(), submitted_at__isnull=False)
        .exclude(decided_at=None)
        .order_by("-decided_at")
        .values_list("submitted_at", "decided_at")[:sample]
    )
    days = sorted((decided - submitted).total_seconds() / 86_400 for submitted, decided in pairs)
    if not days:
        return None
    middle = len(days) // 2
    median = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
    return UsualDelay(median_days=max(1, round(median)), decisions=len(days))


def dossiers_of_applicant_listed(user: User) -> QuerySet[Dossier]:
    """ "Mes dossiers": the latest changed first, each knowing whether corrections are asked."""
    open_corrections = CorrectionRequest.objects.filter(dossier=OuterRef("pk"), resolved_at__isnull=True)
    return (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure")
        .defer("answers", "procedure__draft_definition", "procedure__description")
        .annotate(correction_asked=Exists(open_corrections))
        .order_by("-updated_at", "-pk")
    )


def dossier_latest_snapshot(dossier: Dossier) -> DossierSnapshot | None:
    """The answers as last filed (None for a draft)."""
    return dossier.snapshots.order_by("-created_at", "-pk").first()


@dataclass
class TimelineEvent:
    at: datetime
    title: str
    text: str = ""
    details: list[str] = field(default_factory=list)
    # Who did it, for the back office only (the applicant's timeline names nobody): a person, a
    # service account (« Compte de service : … »), or "" for the platform itself or the applicant.
    by: str = ""


# How the applicant reads each transition of their dossier.
_TRANSITION_TITLES = {
    "submit": "Dossier déposé",
    "start_instruction": "Dossier pris en charge : il est en cours d’instruction",
    "request_correction": "L’administration demande une correction",
    "accept": "Dossier accepté",
    "refuse": "Dossier refusé",
    "close": "Dossier classé sans suite",
    "reopen": "Instruction rouverte",
    "withdraw": "Dossier retiré à votre demande",
}


def dossier_timeline(dossier: Dossier, *, with_actors: bool = False) -> list[TimelineEvent]:
    """What happened to a filed dossier, oldest first: its changes of state and its resubmissions.
    `with_actors` (the back office) names who made each change of state on the administration's side."""
    logs = (
        TransitionLog.objects.filter(dossier=dossier)
        # A resubmission shows once, from its snapshot, with the fields changed.
        .exclude(transition=TransitionName.SUBMIT_CORRECTIONS)
        .select_related("actor")
        .order_by("at", "pk")
    )
    events = [
        TimelineEvent(
            at=log.at,
            title=_TRANSITION_TITLES.get(log.transition, log.transition),
            text=log.motivation,
            by=log.actor_name if with_actors and log.actor_role == TransitionLog.ActorRole.INSTRUCTOR else "",
        )
        for log in logs
    ]
    for snapshot in dossier.snapshots.filter(kind=DossierSnapshot.Kind.CORRECTION).defer("answers"):
        labels = {field.id: field.label for field in version_form(snapshot.version_id).iter_fields()}
        changed = [labels.get(key, key) for key in snapshot.changed_fields]
        text = "Champs modifiés :" if changed else "Aucune réponse n’a changé."
        events.append(TimelineEvent(at=snapshot.created_at, title="Corrections déposées", text=text, details=changed))
    return sorted(events, key=lambda event: event.at)


def dossier_next_action(dossier: Dossier, *, correction_asked: bool) -> str:
    """What the applicant has to do next, in a few words."""
    if dossier.state == DossierState.DRAFT:
        return "Compléter et déposer le dossier"
    if correction_asked:
        return "Corriger le dossier à la demande de l’administration"
    if dossier.state == DossierState.SUBMITTED:
        return "Rien : le dossier attend d’être examiné"
    if dossier.state == DossierState.IN_INSTRUCTION:
        return "Rien : le dossier est en cours d’examen"
    if dossier.state in DossierState.decided():
        return "Consulter la décision"
    return "Rien"


def instructor_can_act_on(user: Actor, dossier: Dossier) -> bool:
    """Whether `user` may act on the dossier as its instructors do: a person of its group, or software
    whose reach (a service account's, decided by the API) holds it."""
    if isinstance(user, ServiceActor):
        return user.can_act_on(dossier)
    return (
        dossier.group_id is not None
        and InstructorMembership.objects.filter(group_id=dossier.group_id, user=user).exists()
    )
