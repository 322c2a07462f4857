"""The instructors' part of the API: their procedures, the lists of their groups' dossiers (the
screens' filters and keyset pages), a dossier, and decisions on it. A person's key reaches exactly
what the screens show them; a service account's key, the dossiers of its procedures, with the
scopes `dossiers:read` (reads) and `dossiers:instruct` (decisions). Every read goes through the
caller's `Principal` (principals.py)."""

from datetime import datetime
from typing import Any, Literal

from django.db.models import Count
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guichet.accounts.names import identity_display_name
from guichet.core.replicas import reads_from_replica
from guichet.dossiers.models import Dossier, DossierState, TransitionLog, TransitionName
from guichet.dossiers.selectors import dossier_latest_snapshot
from guichet.dossiers.workflow import TransitionError, transitions_for_role
from guichet.instruction.lists import TAB_ALIASES, ListFilters, ListOrder, Tab, tab_filter, tab_of
from guichet.instruction.selectors import instructor_dossier_page, instructor_waiting_counts
from guichet.instruction.services import dossier_decide
from guichet.procedures.models import InstructorGroup

from .errors import examples, responses
from .principals import Principal, principal_actor, principal_of
from .scopes import Scope

router = Router(tags=["instruction"])

# The lists' values, and their former names still accepted.
TabParam = Literal[*Tab.values, *TAB_ALIASES]  # type: ignore[valid-type]


def _caller_with(request: HttpRequest, scope: Scope) -> Principal:
    """The caller, when it holds `scope` at all: without it this part of the API is closed to it
    (403 whatever the id asked, which so reveals nothing)."""
    principal = principal_of(request)
    if not principal.allows(scope):
        raise HttpError(
            403, f"Cette API est réservée aux instructeurs et aux comptes de service ayant le droit « {scope.value} »."
        )
    return principal


def _reader(request: HttpRequest) -> Principal:
    return _caller_with(request, Scope.DOSSIERS_READ)


class InstructionProcedureOut(Schema):
    slug: str
    title: str
    waiting: int = Field(description="Dossiers « à traiter » dans les groupes de l’instructeur.")


# The states' words, from their one source (DossierState's labels, as every screen shows them).
_STATES = " ; ".join(f"`{state.value}` : « {state.label} »" for state in DossierState)


class InstructionDossierSummary(Schema):
    id: int
    number: str
    state: DossierState = Field(description=f"L’état du dossier : {_STATES}.")
    state_label: str = Field(description="L’état du dossier tel que les écrans et les courriels l’écrivent.")
    submitted_at: datetime | None
    group: str
    due_at: datetime | None = Field(description="Fin du délai d’instruction, quand il court.")
    assignee: str | None


class InstructionDossierList(Schema):
    dossiers: list[InstructionDossierSummary]
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
    actor: str = Field(
        description="Qui l’a fait, côté administration : une personne, ou un compte de service (« Compte de "
        "service : … ») ; vide pour l’usager ou la plateforme d’elle-même."
    )
    motivation: str


class InstructionDossierOut(InstructionDossierSummary):
    procedure: str
    decided_at: datetime | None
    applicant: Applicant
    answers: dict[str, Any] = Field(description="Les réponses telles que déposées (dernière version déposée).")
    history: list[HistoryEntry]


class InstructionDecisionIn(Schema):
    model_config = examples(
        {"decision": "start_instruction"},
        {"decision": "refuse", "motivation": "Pièces manquantes malgré la demande de compléments."},
    )

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


def _waiting_counts(principal: Principal) -> dict[int, int]:
    if principal.user is not None:
        return instructor_waiting_counts(principal.user)
    rows = (
        principal.dossiers(Scope.DOSSIERS_READ)
        .filter(tab_filter(Tab.TO_PROCESS, None))
        .values("procedure_id")
        .annotate(count=Count("pk"))
        .values_list("procedure_id", "count")
    )
    return dict(rows)


@router.get("/procedures", response=responses(list[InstructionProcedureOut]), summary="Mes démarches")
@reads_from_replica
def procedures(request: HttpRequest):
    principal = _reader(request)
    waiting = _waiting_counts(principal)
    reachable = principal.procedures_for(Scope.DOSSIERS_READ).defer("draft_definition").order_by("title")
    return [
        {"slug": procedure.slug, "title": procedure.title, "waiting": waiting.get(procedure.pk, 0)}
        for procedure in reachable
    ]


@router.get(
    "/procedures/{slug}/dossiers",
    response=responses(InstructionDossierList, not_found=True),
    summary="Une liste de dossiers",
)
@reads_from_replica
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
    principal = _reader(request)
    procedure = principal.procedure_or_404(slug, Scope.DOSSIERS_READ)
    filters = ListFilters(tab=tab_of(tab, Tab.ALL), text=q.strip(), state=state or "", order=order)
    if principal.user is not None:
        page = instructor_dossier_page(principal.user, procedure, filters, after=after)
    else:
        # A service account sees every group of the procedure; nothing is « followed » by it.
        groups = sorted(InstructorGroup.objects.filter(procedure=procedure).values_list("pk", flat=True))
        page = instructor_dossier_page(None, procedure, filters, after=after, group_ids=groups)
    return {"dossiers": [_summary(dossier) for dossier in page.dossiers], "next": page.next_cursor or None}


@router.get("/dossiers/{dossier_id}", response=responses(InstructionDossierOut, not_found=True), summary="Un dossier")
def dossier_detail(request: HttpRequest, dossier_id: int):
    dossier = _reader(request).dossier_or_404(dossier_id, Scope.DOSSIERS_READ)
    snapshot = dossier_latest_snapshot(dossier)
    identity = dossier.identity or {}
    history = TransitionLog.objects.filter(dossier=dossier).select_related("actor").order_by("at", "pk")
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
                "actor": log.actor_name if log.actor_role == TransitionLog.ActorRole.INSTRUCTOR else "",
                "motivation": log.motivation,
            }
            for log in history
        ],
    }


@router.post(
    "/dossiers/{dossier_id}/decision",
    response=responses(InstructionDossierSummary, not_found=True, extra=(409,)),
    summary="Décider (ou passer en instruction)",
)
def dossier_decision(request: HttpRequest, dossier_id: int, decision: InstructionDecisionIn):
    principal = _caller_with(request, Scope.DOSSIERS_INSTRUCT)
    dossier = principal.dossier_or_404(dossier_id, Scope.DOSSIERS_INSTRUCT)
    if decision.decision not in transitions_for_role(TransitionLog.ActorRole.INSTRUCTOR):
        raise HttpError(422, "Cette action n’est pas une décision d’instructeur.")
    try:
        dossier_decide(
            actor=principal_actor(principal, Scope.DOSSIERS_INSTRUCT),
            dossier=dossier,
            name=decision.decision,
            motivation=decision.motivation,
        )
    except TransitionError as error:
        raise HttpError(409, str(error)) from None
    return _summary(dossier)
