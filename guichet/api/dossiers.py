"""Dossiers through the API, for the administrations' software: the list with its filters and keyset
pages (the changes feed: api/changes.py), one
dossier with its typed answers, files, acts and transition log, the downloads of its files and acts
(the long exports: api/exports.py). Every read asks the caller's Principal: outside
its reach a dossier does not exist (404), inside it without the scope, 403."""

import base64
import binascii
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError, ValidationError

from guichet.core.replicas import reads_from_replica
from guichet.documents.models import ActStatus
from guichet.documents.selectors import acts_of_dossier
from guichet.dossiers.files import dossier_files_filed
from guichet.dossiers.models import Dossier, DossierState, TransitionLog
from guichet.dossiers.selectors import dossier_latest_snapshot
from guichet.dossiers.sourced import sourced_notes
from guichet.instruction.models import Label
from guichet.procedures.definition import DISPLAY_ONLY, FormField
from guichet.procedures.selectors import version_form

from .errors import responses
from .principals import Principal, principal_of
from .scopes import Scope

router = Router(tags=["dossiers"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def file_download(description: str, media_types: tuple[str, ...]) -> dict[str, Any]:
    """A download's 200, with the content types it can answer (its Content-Type is one of them)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": dict.fromkeys(media_types, binary)}}}


# --- Schemas ---------------------------------------------------------------------------------------

_STATES = " ; ".join(f"`{state.value}` : « {state.label} »" for state in DossierState)


class DossierSummary(Schema):
    id: int
    number: str
    procedure: str = Field(description="Le nom court (slug) de la démarche.")
    state: DossierState = Field(description=f"L’état du dossier : {_STATES}.")
    state_label: str
    group: str | None = Field(description="Le groupe instructeur.")
    group_id: int | None
    labels: list[str]
    assignee: str | None = Field(description="L’instructeur en charge, s’il y en a un.")
    submitted_at: datetime | None
    updated_at: datetime
    decided_at: datetime | None
    due_at: datetime | None = Field(description="Fin du délai d’instruction, quand il court.")
    url: str = Field(description="L’adresse du dossier dans l’API.")


class DossierPage(Schema):
    dossiers: list[DossierSummary]
    next: str | None = Field(description="L’adresse de la page suivante ; absente à la dernière page.")


class AnswerColumn(Schema):
    field_id: str
    type: str
    label: str


class AnswerOut(Schema):
    field_id: str = Field(description="L’identifiant du champ dans le formulaire de la version.")
    page: str
    type: str = Field(description="Le type du champ (`text`, `date`, `choice`, `file`, `block`…).")
    label: str
    value: Any = Field(
        description="La réponse telle que déposée : texte, nombre, date ISO, liste de choix, adresse, "
        "fichiers (chacun avec sa `key`), lignes d’un bloc ; null sans réponse."
    )
    columns: list[AnswerColumn] | None = Field(None, description="Pour un bloc répétable : les champs de ses lignes.")
    source_note: str | None = Field(
        None,
        description="Pour un champ rempli par une source de données : « Donnée issue d’API Entreprise, le … » "
        "(certifiée), ou pourquoi l’usager l’a saisie (« Donnée saisie par l’usager : … ») ; null sinon.",
    )


class FileOut(Schema):
    key: str
    name: str
    size: int
    content_type: str
    sha256: str
    download: str


class ActOut(Schema):
    id: int
    kind: str = Field(description="`receipt` (accusé de réception), `acceptance`, `refusal`.")
    kind_label: str
    status: ActStatus = Field(description="`pending` (en cours), `issued` (émis), `failed` (en échec).")
    code: str = Field(description="Le code de vérification de l’acte.")
    title: str
    issued_at: datetime | None
    sha256: str
    download: str | None = Field(description="Le PDF scellé, une fois émis.")


class TransitionOut(Schema):
    at: datetime
    transition: str
    from_state: DossierState
    to_state: DossierState
    actor_role: TransitionLog.ActorRole
    actor: str = Field(
        description="Qui l’a fait : une personne, un compte de service (« Compte de service : … »), "
        "ou vide (l’usager, ou la plateforme d’elle-même)."
    )
    motivation: str


class DossierOut(DossierSummary):
    version: int = Field(description="Le numéro de la version du formulaire.")
    answers: list[AnswerOut]
    files: list[FileOut]
    acts: list[ActOut]
    transitions: list[TransitionOut]


# --- Reading -----------------------------------------------------------------------------------------


def _dossiers_readable(principal: Principal):
    if not principal.allows(Scope.DOSSIERS_READ):
        raise HttpError(403, "Cette clé n’a pas le droit « dossiers:read » (lire les dossiers).")
    return principal.dossiers(Scope.DOSSIERS_READ)


def _summaries(dossiers: list[Dossier]) -> list[dict[str, Any]]:
    labels: dict[int, list[str]] = {}
    through = Label.dossiers.through.objects.filter(dossier_id__in=[d.pk for d in dossiers]).select_related("label")
    for link in through.order_by("label__name"):
        labels.setdefault(link.dossier_id, []).append(link.label.name)
    return [
        {
            "id": dossier.pk,
            "number": dossier.number,
            "procedure": dossier.procedure.slug,
            "state": dossier.state,
            "state_label": str(dossier.get_state_display()),
            "group": dossier.group.name if dossier.group_id else None,
            "group_id": dossier.group_id,
            "labels": labels.get(dossier.pk, []),
            "assignee": str(dossier.assignee) if dossier.assignee_id else None,
            "submitted_at": dossier.submitted_at,
            "updated_at": dossier.updated_at,
            "decided_at": dossier.decided_at,
            "due_at": dossier.due_at,
            "url": f"/api/v1/dossiers/{dossier.pk}",
        }
        for dossier in dossiers
    ]


def _listed(queryset):
    return queryset.select_related("procedure", "group", "assignee").defer(
        "answers", "annotations", "identity", "search_vector", "procedure__draft_definition"
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError([{"type": "value_error", "loc": ["query", field], "msg": message}])


def _page_cursor(dossier: Dossier) -> str:
    text = f"{dossier.submitted_at.isoformat()}|{dossier.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _page_position(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        at, pk = text.split("|")
        moment = datetime.fromisoformat(at)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid("cursor", "Ce curseur n’est pas valide : reprenez à la première page.") from None


def _next_url(request: HttpRequest, **changes: Any) -> str:
    params = {key: value for key, value in request.GET.items()} | changes
    return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")


@router.get("/dossiers", response=responses(DossierPage, not_found=True), summary="Les dossiers")
@reads_from_replica
def dossier_list(
    request: HttpRequest,
    procedure: str | None = Query(None, max_length=100, description="Identifiant ou nom court de la démarche."),  # noqa: B008
    state: DossierState | None = None,
    group: int | None = Query(None, ge=1, le=2**62, description="Identifiant du groupe instructeur."),  # noqa: B008
    label: str | None = Query(None, max_length=60, description="Nom d’une étiquette posée sur le dossier."),  # noqa: B008
    submitted_from: date | None = Query(None, description="Déposés ce jour-là ou après (date ISO)."),  # noqa: B008
    submitted_to: date | None = Query(None, description="Déposés ce jour-là ou avant."),  # noqa: B008
    updated_from: date | None = Query(None, description="Modifiés ce jour-là ou après."),  # noqa: B008
    updated_to: date | None = Query(None, description="Modifiés ce jour-là ou avant."),  # noqa: B008
    cursor: str = Query("", max_length=200, description="Le curseur d’une page, donné par `next`."),  # noqa: B008
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),  # noqa: B008
):
    """The filed dossiers the key may read, the latest filed first (then by id), in keyset pages:
    follow `next` to the end; a page costs the same whatever its rank."""
    principal = principal_of(request)
    dossiers = _dossiers_readable(principal)
    if procedure:
        dossiers = dossiers.filter(procedure=principal.procedure_or_404(procedure, Scope.DOSSIERS_READ))
    if state:
        dossiers = dossiers.filter(state=state)
    if group is not None:
        dossiers = dossiers.filter(group_id=group)
    if label:
        dossiers = dossiers.filter(labels__name__iexact=label.strip())
    for bound, value, lookup in (
        ("submitted", submitted_from, "gte"),
        ("submitted", submitted_to, "lt"),
        ("updated", updated_from, "gte"),
        ("updated", updated_to, "lt"),
    ):
        if value is not None:
            day = value if lookup == "gte" else value + timedelta(days=1)
            dossiers = dossiers.filter(**{f"{bound}_at__{lookup}": _day_start(day)})
    if cursor:
        at, pk = _page_position(cursor)
        dossiers = dossiers.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk))
    rows = list(_listed(dossiers).order_by("-submitted_at", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "dossiers": _summaries(rows),
        "next": _next_url(request, cursor=_page_cursor(rows[-1])) if more else None,
    }


def _answers(dossier: Dossier, answers: dict[str, Any]) -> list[dict[str, Any]]:
    form = version_form(dossier.version_id)
    notes = sourced_notes(dossier)
    typed = []
    for page in form.pages:
        for field in page.fields:
            if field.type in DISPLAY_ONLY:
                continue
            typed.append(
                {
                    "field_id": field.id,
                    "page": page.id,
                    "type": str(field.type),
                    "label": field.label,
                    "value": answers.get(field.id),
                    "columns": _columns(field),
                    "source_note": notes.get(field.id),
                }
            )
    return typed


def _columns(field: FormField) -> list[dict[str, str]] | None:
    if not field.fields:
        return None
    return [
        {"field_id": sub.id, "type": str(sub.type), "label": sub.label}
        for sub in field.fields
        if sub.type not in DISPLAY_ONLY
    ]


@router.get("/dossiers/{dossier_id}", response=responses(DossierOut, not_found=True), summary="Un dossier")
def dossier_detail(request: HttpRequest, dossier_id: int):
    """A dossier as last filed: its answers typed by the form of its version, its files, its acts and
    the log of its changes of state."""
    dossier = principal_of(request).dossier_or_404(dossier_id, Scope.DOSSIERS_READ)
    snapshot = dossier_latest_snapshot(dossier)
    base = f"/api/v1/dossiers/{dossier.pk}"
    summary = _summaries(list(_listed(Dossier.objects.filter(pk=dossier.pk))))[0]
    return {
        **summary,
        "version": dossier.version.number,
        "answers": _answers(dossier, snapshot.answers if snapshot else {}),
        "files": [
            {
                "key": str(file.key),
                "name": file.name,
                "size": file.size,
                "content_type": file.content_type,
                "sha256": file.sha256,
                "download": f"{base}/files/{file.key}",
            }
            for file in dossier_files_filed(dossier).order_by("created_at", "pk")
        ],
        "acts": [
            {
                "id": act.pk,
                "kind": act.kind,
                "kind_label": str(act.get_kind_display()),
                "status": act.status,
                "code": act.code_display,
                "title": act.title,
                "issued_at": act.issued_at,
                "sha256": act.sha256,
                "download": f"{base}/acts/{act.pk}" if act.is_issued else None,
            }
            for act in acts_of_dossier(dossier, issued_only=False)
        ],
        "transitions": [
            {
                "at": log.at,
                "transition": log.transition,
                "from_state": log.from_state,
                "to_state": log.to_state,
                "actor_role": log.actor_role,
                "actor": log.actor_name if log.actor_role == TransitionLog.ActorRole.INSTRUCTOR else "",
                "motivation": log.motivation,
            }
            for log in TransitionLog.objects.filter(dossier=dossier).select_related("actor").order_by("at", "pk")
        ],
    }


@router.get(
    "/dossiers/{dossier_id}/files/{key}",
    response=responses(None, not_found=True),
    summary="Télécharger une pièce jointe",
    openapi_extra=file_download("Le fichier, tel que déposé (avec son type).", ("*/*",)),
)
def dossier_file(request: HttpRequest, dossier_id: int, key: str):
    dossier = principal_of(request).dossier_or_404(dossier_id, Scope.DOSSIERS_READ)
    stored = next((file for file in dossier_files_filed(dossier) if str(file.key) == key), None)
    if stored is None:
        raise HttpError(404, "Cette pièce jointe n’existe pas sur ce dossier.")
    response = FileResponse(stored.content.open("rb"), as_attachment=True, filename=stored.name)
    response["Content-Type"] = stored.content_type
    return response


@router.get(
    "/dossiers/{dossier_id}/acts/{act_id}",
    response=responses(None, not_found=True),
    summary="Télécharger un acte scellé",
    openapi_extra=file_download("Le PDF scellé de l’acte.", ("application/pdf",)),
)
def dossier_act(request: HttpRequest, dossier_id: int, act_id: int):
    dossier = principal_of(request).dossier_or_404(dossier_id, Scope.DOSSIERS_READ)
    act = acts_of_dossier(dossier, issued_only=True).filter(pk=act_id).first()
    if act is None:
        raise HttpError(404, "Cet acte n’existe pas sur ce dossier, ou il n’est pas encore émis.")
    act.dossier = dossier
    return FileResponse(act.pdf.open("rb"), as_attachment=True, filename=act.file_name, content_type="application/pdf")
