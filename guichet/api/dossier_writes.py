"""Writes on filed dossiers, for the administrations' software: start the instruction, ask for
corrections, decide, assign, write to the applicant, annotate and label. Each goes through the
service that the back office's screens use (the same rules, transition log, follow-up chain and
emails), with the caller as the actor: a person's key acts as that person, a service account as
software on the instructors' side (`ServiceActor`), within the reach its principal gives it, and
the audit trail names it."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.errors import HttpError, ValidationError
from ninja.files import UploadedFile
from ninja.responses import Status

from guichet.accounts.models import User
from guichet.core.uploads import UploadRefused
from guichet.dossiers.models import Dossier, DossierState, TransitionName
from guichet.dossiers.workflow import MotivationRequired, TransitionForbidden, TransitionNotAllowed
from guichet.instruction.access import dossier_group_instructors
from guichet.instruction.messages import MESSAGE_ATTACHMENTS_MAX, message_send
from guichet.instruction.services import (
    AnnotationsInvalid,
    dossier_annotations_save,
    dossier_assign,
    dossier_decide,
    dossier_labels_set,
)
from guichet.procedures.definition import annotations_form
from guichet.procedures.selectors import version_form

from .errors import ErrorOut, examples, responses
from .principals import principal_actor, principal_of
from .scopes import Scope

router = Router(tags=["dossiers (écriture)"])

_STATES = " ; ".join(f"`{state.value}` : « {state.label} »" for state in DossierState)


class ConflictOut(ErrorOut):
    model_config = examples({"detail": "Ce dossier a déjà reçu une décision.", "state": "accepted"})

    state: DossierState = Field(description=f"L’état actuel du dossier : {_STATES}.")


def _answers(ok: Any, *, conflict: bool = False) -> dict:
    codes = responses(ok, not_found=True, extra=(409,) if conflict else ())
    if conflict:
        codes[409] = ConflictOut
    return codes


class DossierStateOut(Schema):
    id: int
    number: str
    state: DossierState = Field(description=f"L’état du dossier : {_STATES}.")
    state_label: str
    assignee: str | None = Field(description="L’adresse électronique de l’instructeur en charge, s’il y en a un.")
    labels: list[str]
    updated_at: datetime


def _state_out(dossier: Dossier) -> dict[str, Any]:
    dossier.refresh_from_db()
    return {
        "id": dossier.pk,
        "number": dossier.number,
        "state": dossier.state,
        "state_label": str(dossier.get_state_display()),
        "assignee": dossier.assignee.email if dossier.assignee_id else None,
        "labels": sorted(dossier.labels.values_list("name", flat=True)),
        "updated_at": dossier.updated_at,
    }


def _located(param: str, errors: dict[str, str]) -> ValidationError:
    """The API's 422: each refused value, where it is in the body, and why (in French)."""
    return ValidationError(
        [
            {"type": "value_error", "loc": ["body", param, *[part for part in path.split(".") if part]], "msg": msg}
            for path, msg in errors.items()
        ]
    )


def _transition(request: HttpRequest, dossier_id: int, name: TransitionName, motivation: str, param: str):
    principal = principal_of(request)
    dossier = principal.dossier_or_404(dossier_id, Scope.DOSSIERS_INSTRUCT)
    try:
        actor = principal_actor(principal, Scope.DOSSIERS_INSTRUCT)
        dossier_decide(actor=actor, dossier=dossier, name=name, motivation=motivation)
    except MotivationRequired as error:
        raise _located(param, {"motivation": str(error)}) from None
    except TransitionForbidden as error:
        raise HttpError(403, str(error)) from None
    except TransitionNotAllowed as error:
        # Already done (a retried request, a double click) or not possible from here: say where it stands.
        dossier.refresh_from_db(fields=["state"])
        return Status(409, {"detail": str(error), "state": dossier.state})
    return Status(200, _state_out(dossier))


@router.post(
    "/{dossier_id}/start-instruction",
    response=_answers(DossierStateOut, conflict=True),
    summary="Passer en instruction",
    description="Droit `dossiers:instruct`. Un dossier déjà en instruction (ou dans un autre état) répond 409 "
    "avec son état actuel.",
)
def dossier_start_instruction(request: HttpRequest, dossier_id: int):
    return _transition(request, dossier_id, TransitionName.START_INSTRUCTION, "", "body")


class CorrectionsIn(Schema):
    model_config = examples(
        {"message": "Le justificatif de domicile est illisible : déposez-en un nouveau, s’il vous plaît."}
    )

    message: str = Field(
        max_length=5000, description="Ce qu’il faut corriger : l’usager le lit dans le courriel et sur son dossier."
    )


@router.post(
    "/{dossier_id}/request-corrections",
    response=_answers(DossierStateOut, conflict=True),
    summary="Demander des corrections à l’usager",
    description="Droit `dossiers:instruct`. Le dossier doit être en instruction ; le délai d’instruction est "
    "suspendu jusqu’à ce que l’usager dépose ses corrections. Un message vide répond 422.",
)
def dossier_request_corrections(request: HttpRequest, dossier_id: int, corrections: CorrectionsIn):
    principal = principal_of(request)
    dossier = principal.dossier_or_404(dossier_id, Scope.DOSSIERS_INSTRUCT)
    try:
        dossier_decide(
            actor=principal_actor(principal, Scope.DOSSIERS_INSTRUCT),
            dossier=dossier,
            name=TransitionName.REQUEST_CORRECTION,
            motivation=corrections.message,
        )
    except MotivationRequired:
        raise _located("corrections", {"message": "Indiquez ce que l’usager doit corriger."}) from None
    except TransitionForbidden as error:
        raise HttpError(403, str(error)) from None
    except TransitionNotAllowed as error:
        dossier.refresh_from_db(fields=["state"])
        return Status(409, {"detail": str(error), "state": dossier.state})
    return Status(200, _state_out(dossier))


class DecisionIn(Schema):
    model_config = examples(
        {"decision": "accept"},
        {
            "decision": "refuse",
            "motivation": "Le projet ne respecte pas le règlement local d’urbanisme (article UA 11).",
        },
    )

    decision: Literal["accept", "refuse", "close"] = Field(
        description="`accept` (accepter), `refuse` (refuser), `close` (classer sans suite)."
    )
    motivation: str = Field(
        "",
        max_length=5000,
        description="Obligatoire pour un refus ou un classement sans suite (la règle du tableau des transitions).",
    )


@router.post(
    "/{dossier_id}/decide",
    response=_answers(DossierStateOut, conflict=True),
    summary="Décider : accepter, refuser, classer sans suite",
    description="Droit `dossiers:instruct`. Le dossier doit être en instruction. Une motivation manquante "
    'quand la décision l’exige répond 422 (`errors[].loc` : `["body", "decision", "motivation"]`) ; une '
    "décision répétée répond 409 avec l’état actuel. L’acte est émis et l’usager prévenu comme depuis les écrans.",
)
def dossier_decide_api(request: HttpRequest, dossier_id: int, decision: DecisionIn):
    return _transition(request, dossier_id, TransitionName(decision.decision), decision.motivation, "decision")


class AssignmentIn(Schema):
    model_config = examples({"assignee": "claire.martin@mairie.example"}, {"assignee": None})

    assignee: str | None = Field(
        max_length=254,
        description="L’adresse électronique d’un instructeur du groupe du dossier ; `null` : à personne "
        "en particulier.",
    )


NOT_AN_INSTRUCTOR = "Cette personne n’est pas instructrice du groupe de ce dossier."


@router.put(
    "/{dossier_id}/assignee",
    response=_answers(DossierStateOut),
    summary="Confier le dossier à un instructeur",
    description="Droit `dossiers:instruct`.",
)
def dossier_assign_api(request: HttpRequest, dossier_id: int, assignment: AssignmentIn):
    principal = principal_of(request)
    dossier = principal.dossier_or_404(dossier_id, Scope.DOSSIERS_INSTRUCT)
    assignee: User | None = None
    if assignment.assignee is not None and assignment.assignee.strip():
        assignee = dossier_group_instructors(dossier).filter(email__iexact=assignment.assignee.strip()).first()
        if assignee is None:
            raise _located("assignment", {"assignee": NOT_AN_INSTRUCTOR})
    try:
        dossier_assign(actor=principal_actor(principal, Scope.DOSSIERS_INSTRUCT), dossier=dossier, assignee=assignee)
    except DjangoValidationError:
        raise _located("assignment", {"assignee": NOT_AN_INSTRUCTOR}) from None
    return _state_out(dossier)


class AttachmentOut(Schema):
    key: str = Field(description="La clé du fichier : `GET /api/v1/dossiers/{id}/files/{key}` le télécharge.")
    name: str
    size: int
    content_type: str = Field(description="Le type reconnu au contenu du fichier.")


class MessageOut(Schema):
    id: int
    created_at: datetime
    body: str
    attachments: list[AttachmentOut] = Field(description="Les fichiers joints, dans l’ordre où ils ont été envoyés.")


@router.post(
    "/{dossier_id}/messages",
    response=_answers(MessageOut),
    summary="Écrire à l’usager",
    description="Droit `messages:write`. En `multipart/form-data` : `body` (le message) et, facultatifs, "
    f"jusqu’à {MESSAGE_ATTACHMENTS_MAX} fichiers, chacun dans un champ `attachments` (répété). Chaque fichier "
    "passe les contrôles des écrans : type reconnu au contenu (documents et images), taille, PDF sans contenu "
    'actif, antivirus ; un seul refusé répond 422 (`errors[].loc` : `["body", "attachments"]`, le message nomme '
    "le fichier) et rien n’est envoyé. L’usager est prévenu par courriel.",
)
def dossier_message_send(
    request: HttpRequest,
    dossier_id: int,
    body: str = Form(..., max_length=10_000, description="Le message à l’usager."),  # noqa: B008
    attachments: list[UploadedFile] = File(  # noqa: B008
        None, max_length=MESSAGE_ATTACHMENTS_MAX, description="Les fichiers joints, un par champ `attachments`."
    ),
):
    principal = principal_of(request)
    dossier = principal.dossier_or_404(dossier_id, Scope.MESSAGES_WRITE)
    files = request.FILES.getlist("attachments")
    if set(request.FILES) - {"attachments"}:
        raise _located("attachments", {"": "Joignez les fichiers dans le champ « attachments » (répété)."})
    if len(files) > MESSAGE_ATTACHMENTS_MAX:
        raise _located("attachments", {"": f"Joignez au plus {MESSAGE_ATTACHMENTS_MAX} fichiers à un message."})
    try:
        message = message_send(
            actor=principal_actor(principal, Scope.MESSAGES_WRITE), dossier=dossier, body=body, attachments=files
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    except UploadRefused as error:
        raise _located("attachments", {"": " ".join(error.messages)}) from None
    except DjangoValidationError as error:
        raise _located("body", {"": " ".join(error.messages)}) from None
    return {
        "id": message.pk,
        "created_at": message.created_at,
        "body": message.body,
        "attachments": [
            {"key": str(file.key), "name": file.name, "size": file.size, "content_type": file.content_type}
            for file in message.files
        ],
    }


class AnnotationsIn(Schema):
    model_config = examples({"annotations": {"avis_technique": "Favorable", "visite": None}})

    annotations: dict[str, Any] = Field(
        description="Les annotations à écrire, par identifiant de champ : elles remplacent les précédentes ; "
        "`null` en efface une ; les autres restent."
    )


class AnnotationsOut(Schema):
    annotations: dict[str, Any]


@router.patch(
    "/{dossier_id}/annotations",
    response=_answers(AnnotationsOut),
    summary="Écrire les annotations privées",
    description="Droit `annotations:write`. Vérifiées comme sur l’écran du dossier : chaque valeur refusée "
    'répond 422 avec son champ (`errors[].loc` : `["body", "annotations", "<champ>"]`) et rien n’est '
    "enregistré. Jamais montrées à l’usager.",
)
def dossier_annotations_write(request: HttpRequest, dossier_id: int, annotations: AnnotationsIn):
    principal = principal_of(request)
    dossier = principal.dossier_or_404(dossier_id, Scope.ANNOTATIONS_WRITE)
    form = annotations_form(version_form(dossier.version_id))
    if form is None:
        raise _located("annotations", {"": "Cette démarche ne définit pas d’annotations privées."})
    known = {field.id for field in form.iter_fields()}
    unknown = {key: "Ce champ n’est pas une annotation de cette démarche." for key in annotations.annotations}
    unknown = {key: msg for key, msg in unknown.items() if key not in known}
    if unknown:
        raise _located("annotations", unknown)
    try:
        actor = principal_actor(principal, Scope.ANNOTATIONS_WRITE)
        # Merged with what is stored under the row's lock: two clients writing different keys both land.
        saved = dossier_annotations_save(actor=actor, dossier=dossier, raw=annotations.annotations, merge=True)
    except AnnotationsInvalid as error:
        raise _located("annotations", error.errors) from None
    return {"annotations": saved.annotations}


LABEL_LENGTH = 60  # as instruction.services.dossier_labels_set keeps them


class LabelsIn(Schema):
    model_config = examples({"labels": ["Urgent", "Pièces complètes"]})

    labels: list[str] = Field(
        max_length=50,
        description="Exactement les étiquettes du dossier (60 caractères au plus chacune) ; un nom jamais "
        "employé sur la démarche la crée.",
    )


@router.put(
    "/{dossier_id}/labels",
    response=_answers(DossierStateOut),
    summary="Poser les étiquettes",
    description="Droit `annotations:write`.",
)
def dossier_labels_write(request: HttpRequest, dossier_id: int, labels: LabelsIn):
    principal = principal_of(request)
    dossier = principal.dossier_or_404(dossier_id, Scope.ANNOTATIONS_WRITE)
    too_long = {
        f"labels.{index}": "Une étiquette tient en 60 caractères au plus."
        for index, name in enumerate(labels.labels)
        if len(" ".join(name.split())) > LABEL_LENGTH
    }
    if too_long:
        raise _located("labels", too_long)
    dossier_labels_set(actor=principal_actor(principal, Scope.ANNOTATIONS_WRITE), dossier=dossier, names=labels.labels)
    return _state_out(dossier)
