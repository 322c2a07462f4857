"""The instructors' part of the API: their procedures, the lists of their groups' dossiers (the
screens' filters and keyset pages), a dossier, and decisions on it. Every read goes through the
selectors the back office uses, so the API reaches exactly what the screens do."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guichet.accounts.names import identity_display_name
from guichet.dossiers.models import Dossier, DossierState, TransitionLog, TransitionName
from guichet.dossiers.selectors import dossier_latest_snapshot
from guichet.dossiers.workflow import TransitionError, transitions_for_role
from guichet.instruction.access import dossier_for_instructor
from guichet.instruction.lists import TAB_ALIASES, ListFilters, ListOrder, Tab, tab_of
from guichet.instruction.selectors import instructor_dossier_page, instructor_waiting_counts, procedures_of_instructor
from guichet.instruction.services import dossier_decide
from guichet.procedures.models import InstructorMembership

from .errors import responses

router = Router(tags=["instruction"])

# The lists' values, and their former names still accepted.
TabParam = Literal[*Tab.values, *TAB_ALIASES]  # type: ignore[valid-type]


def _instructor(request: HttpRequest):
    if not InstructorMembership.objects.filter(user=request.user).exists():
        raise HttpError(403, "Cette API est réservée aux instructeurs.")
    return request.user


def _dossier(request: HttpRequest, dossier_id: int) -> Dossier:
    try:
        return dossier_for_instructor(_instructor(request), dossier_id)
    except Dossier.DoesNotExist:
        raise HttpError(404, "Ce dossier n’existe pas.") from None


class ProcedureOut(Schema):
    slug: str
    title: str
    waiting: int = Field(description="Dossiers « à traiter » dans les groupes de l’instructeur.")


# The states' words, from their one source (DossierState's labels, as every screen shows them).
_STATES = " ; ".join(f"`{state.value}` : « {state.label} »" for state in DossierState)


class DossierSummary(Schema):
    id: int
    number: str
    state: DossierState = Field(description=f"L’état du dossier : {_STATES}.")
    state_label: str = Field(description="L’état du dossier tel que les écrans et les courriels l’écrivent.")
    submitted_at: datetime | None
    group: str
    due_at: datetime | None = Field(description="Fin du délai d’instruction, quand il court.")
    assignee: str | None


class DossierList(Schema):
    dossiers: list[DossierSummary]
    next: str | None = Field(description="À passer en `after` pour la page suivante ; absent à la dernière.")


class Applicant(Schema):
    given_name: str = ""
    family_name: str = ""
    display_name: str = Field("", description="Le nom à afficher : « Prénom Nom », à défaut l’adresse électronique.")
    certified: bool = Field(False, description="Identité certifiée par FranceConnect.")


class HistoryEntry(Schema):
    at: datetime
    transition: str
    from_state: str
    to_state: str
    motivation: str


class DossierOut(DossierSummary):
    procedure: str
    decided_at: datetime | None
    applicant: Applicant
    answers: dict[str, Any] = Field(description="Les réponses telles que déposées (dernière version déposée).")
    history: list[HistoryEntry]


class DecisionIn(Schema):
    decision: TransitionName
    motivation: str = Field("", max_length=5000)


def _summary(dossier: Dossier) -> dict[str, Any]:
    return {
        "id": dossier.pk,
        "number": dossier.number,
        "state": dossier.state,
        "state_label": str(dossier.get_state_display()),
        "submitted_at": dossier.submitted_at,
        "group": dossier.group.name,
        "due_at": dossier.due_at,
        "assignee": str(dossier.assignee) if dossier.assignee_id else None,
    }


@router.get("/procedures", response=responses(list[ProcedureOut]), summary="Mes démarches")
def procedures(request: HttpRequest):
    user = _instructor(request)
    waiting = instructor_waiting_counts(user)
    return [
        {"slug": procedure.slug, "title": procedure.title, "waiting": waiting.get(procedure.pk, 0)}
        for procedure in procedures_of_instructor(user)
    ]


@router.get(
    "/procedures/{slug}/dossiers", response=responses(DossierList, not_found=True), summary="Une liste de dossiers"
)
def dossier_list(
    request: HttpRequest,
    slug: str,
    tab: TabParam = Query(  # noqa: B008
        Tab.ALL.value,
        description="La liste : `a-traiter`, `suivis`, `traites`, `tous`, `mis-de-cote` (les dossiers traités "
        "mis de côté par les instructeurs ; `archives`, son ancien nom, est encore accepté).",
    ),
    state: DossierState | None = None,
    q: str = Query("", max_length=200, description="Recherche dans les numéros, noms et réponses."),  # noqa: B008
    order: ListOrder = ListOrder.RECENT,
    after: str = Query("", max_length=100),  # noqa: B008
):
    user = _instructor(request)
    procedure = procedures_of_instructor(user).filter(slug=slug).first()
    if procedure is None:
        raise HttpError(404, "Cette démarche n’existe pas ou vous n’y instruisez pas.")
    filters = ListFilters(tab=tab_of(tab, Tab.ALL), text=q.strip(), state=state or "", order=order)
    page = instructor_dossier_page(user, procedure, filters, after=after)
    return {"dossiers": [_summary(dossier) for dossier in page.dossiers], "next": page.next_cursor or None}


@router.get("/dossiers/{dossier_id}", response=responses(DossierOut, not_found=True), summary="Un dossier")
def dossier_detail(request: HttpRequest, dossier_id: int):
    dossier = _dossier(request, dossier_id)
    snapshot = dossier_latest_snapshot(dossier)
    identity = dossier.identity or {}
    history = TransitionLog.objects.filter(dossier=dossier).order_by("at", "pk")
    return {
        **_summary(dossier),
        "procedure": dossier.procedure.slug,
        "decided_at": dossier.decided_at,
        "applicant": {
            "given_name": identity.get("given_name") or "",
            "family_name": identity.get("family_name") or "",
            "display_name": identity_display_name(identity),
            "certified": identity.get("certified_by") == "FranceConnect",
        },
        "answers": snapshot.answers if snapshot else {},
        "history": [
            {
                "at": log.at,
                "transition": log.transition,
                "from_state": log.from_state,
                "to_state": log.to_state,
                "motivation": log.motivation,
            }
            for log in history
        ],
    }


@router.post(
    "/dossiers/{dossier_id}/decision",
    response=responses(DossierSummary, not_found=True, extra=(409,)),
    summary="Décider (ou passer en instruction)",
)
def dossier_decision(request: HttpRequest, dossier_id: int, decision: DecisionIn):
    dossier = _dossier(request, dossier_id)
    if decision.decision not in transitions_for_role(TransitionLog.ActorRole.INSTRUCTOR):
        raise HttpError(422, "Cette action n’est pas une décision d’instructeur.")
    try:
        dossier_decide(actor=request.user, dossier=dossier, name=decision.decision, motivation=decision.motivation)
    except TransitionError as error:
        raise HttpError(409, str(error)) from None
    return _summary(dossier)
