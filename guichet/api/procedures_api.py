"""Procedures through the API: those the caller reaches, one with its published versions, and the
document of a version (procedures/exchange.py's format: the settings and that version's form, which
never changes once published)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from guichet.core.replicas import reads_from_replica
from guichet.procedures.exchange import procedure_version_export
from guichet.procedures.models import Procedure, ProcedureVersion

from .errors import api_enum, responses
from .principals import principal_of
from .scopes import Scope

router = Router(tags=["démarches"])

ProcedureStatus = api_enum("ProcedureStatus", Procedure.Status)


class VersionOut(Schema):
    number: int
    published_at: datetime
    document: str = Field(description="L’adresse du document de cette version.")


class ProcedureOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    status: ProcedureStatus = Field(description="`draft` (brouillon), `published` (publiée), `closed` (close).")
    organisation: str


class ProcedureDetailOut(ProcedureOut):
    versions: list[VersionOut] = Field(description="Les versions publiées du formulaire, la dernière en premier.")


class VersionDocumentOut(Schema):
    number: int
    published_at: datetime
    document: dict[str, Any] = Field(
        description="Le document de la démarche (format `guichet.procedure/1`) avec le formulaire de cette version."
    )


def _readable(request: HttpRequest, ref: str) -> Procedure:
    """A procedure on which the caller may read dossiers: 404 outside its reach, 403 without the scope."""
    return principal_of(request).procedure_or_404(ref, Scope.DOSSIERS_READ)


def _out(procedure: Procedure) -> dict[str, Any]:
    return {
        "id": procedure.pk,
        "slug": procedure.slug,
        "title": procedure.title,
        "summary": procedure.summary,
        "status": procedure.status,
        "organisation": procedure.organisation.name,
    }


@router.get("/procedures", response=responses(list[ProcedureOut]), summary="Les démarches")
@reads_from_replica
def procedure_list(request: HttpRequest):
    """The procedures on which the key may read dossiers."""
    principal = principal_of(request)
    if not principal.allows(Scope.DOSSIERS_READ):
        raise HttpError(403, "Cette clé n’a pas le droit « dossiers:read » (lire les dossiers).")
    return [_out(p) for p in principal.procedures_for(Scope.DOSSIERS_READ).select_related("organisation")]


@router.get("/procedures/{ref}", response=responses(ProcedureDetailOut, not_found=True), summary="Une démarche")
def procedure_detail(request: HttpRequest, ref: str):
    """A procedure, named by its id or its slug, with its published versions."""
    procedure = _readable(request, ref)
    versions = ProcedureVersion.objects.filter(procedure=procedure).order_by("-number").only("number", "published_at")
    return {
        **_out(procedure),
        "versions": [
            {
                "number": version.number,
                "published_at": version.published_at,
                "document": f"/api/v1/procedures/{procedure.slug}/versions/{version.number}",
            }
            for version in versions
        ],
    }


@router.get(
    "/procedures/{ref}/versions/{number}",
    response=responses(VersionDocumentOut, not_found=True),
    summary="Le document d’une version publiée",
)
def procedure_version(request: HttpRequest, ref: str, number: int):
    procedure = _readable(request, ref)
    version = ProcedureVersion.objects.filter(procedure=procedure, number=number).select_related("procedure").first()
    if version is None:
        raise HttpError(404, "Cette version n’existe pas (ou n’a pas été publiée).")
    version.procedure = procedure
    return {
        "number": version.number,
        "published_at": version.published_at,
        "document": procedure_version_export(version),
    }
