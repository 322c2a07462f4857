"""Long exports through the API (instruction/exports/jobs.py): start one for a procedure, follow it,
download its file. An export belongs to the key that started it: another key never sees it."""

from datetime import date, datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from guichet.dossiers.models import DossierState
from guichet.instruction.exports import ExportFormat, export_columns_available, export_columns_chosen
from guichet.instruction.exports.jobs import export_job_create
from guichet.instruction.lists import ListFilters, Tab
from guichet.instruction.models import ExportJob, Label
from guichet.procedures.models import InstructorGroup, InstructorMembership

from .dossiers import file_download
from .errors import api_enum, examples, responses
from .principals import Principal, principal_of
from .scopes import Scope

router = Router(tags=["exports"])


class ExportIn(Schema):
    model_config = examples({"format": "csv"}, {"format": "xlsx", "state": "accepted", "submitted_from": "2026-01-01"})

    format: ExportFormat = ExportFormat.CSV
    state: DossierState | None = None
    group: int | None = None
    label: str | None = Field(None, max_length=60)
    submitted_from: date | None = None
    submitted_to: date | None = None


ExportStatus = api_enum("ExportStatus", ExportJob.Status)


class ExportOut(Schema):
    id: int
    status: ExportStatus = Field(description="`pending`, `running`, `done`, `failed`.")
    progress: int = Field(description="En pour cent.")
    rows_total: int
    expires_at: datetime | None = Field(description="Le fichier reste téléchargeable jusque-là.")
    url: str
    download: str | None = Field(description="Le fichier, une fois prêt.")


def _owner(principal: Principal) -> str:
    if principal.service_account is not None:
        return f"service:{principal.service_account.pk}"
    return f"user:{principal.user.pk}"


def _export_out(job: ExportJob) -> dict[str, Any]:
    url = f"/api/v1/exports/{job.pk}"
    ready = job.status == ExportJob.Status.DONE and bool(job.file) and job.expires_at > timezone.now()
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "rows_total": job.rows_total,
        "expires_at": job.expires_at,
        "url": url,
        "download": f"{url}/file" if ready else None,
    }


@router.post(
    "/procedures/{ref}/exports",
    response={
        202: ExportOut,
        **{status: shape for status, shape in responses(None, not_found=True).items() if status != 200},
    },
    summary="Demander un export",
    description="L’export est écrit en arrière-plan : suivez-le à son adresse (`url`), puis téléchargez-le.",
)
def export_start(request: HttpRequest, ref: str, export: ExportIn):
    """Export the dossiers of a procedure (named by its id or its slug) that the filters keep."""
    principal = principal_of(request)
    procedure = principal.procedure_or_404(ref, Scope.EXPORTS_READ)
    if principal.service_account is not None:
        group_ids = list(InstructorGroup.objects.filter(procedure=procedure).values_list("pk", flat=True))
    else:
        group_ids = sorted(
            InstructorMembership.objects.filter(user=principal.user, group__procedure=procedure).values_list(
                "group_id", flat=True
            )
        )
    label_id = None
    if export.label:
        labels = Label.objects.filter(procedure=procedure, name__iexact=export.label.strip())
        label_id = labels.values_list("pk", flat=True).first() or -1  # a label never used: an empty export
    filters = ListFilters(
        tab=Tab.ALL,
        state=export.state or "",
        group_id=export.group,
        label_id=label_id,
        filed_from=export.submitted_from,
        filed_to=export.submitted_to,
    )
    fixed = [column.id for column in export_columns_available(procedure=procedure) if column.field is None]
    job = export_job_create(
        actor=principal.user,
        procedure=procedure,
        export_format=export.format,
        filters=filters,
        columns=export_columns_chosen(procedure=procedure, ids=fixed),
        group_ids=group_ids,
        api_owner=_owner(principal),
        actor_label=principal.label,
    )
    return Status(202, _export_out(job))


def _export_job(request: HttpRequest, export_id: int) -> ExportJob:
    principal = principal_of(request)
    if not principal.allows(Scope.EXPORTS_READ):
        raise HttpError(403, "Cette clé n’a pas le droit « exports:read » (exporter les dossiers).")
    job = ExportJob.objects.filter(pk=export_id, api_owner=_owner(principal)).select_related("procedure").first()
    if job is None or not principal.procedures_for(Scope.EXPORTS_READ).filter(pk=job.procedure_id).exists():
        raise HttpError(404, "Cet export n’existe pas, ou il a été demandé par une autre clé.")
    return job


@router.get("/exports/{export_id}", response=responses(ExportOut, not_found=True), summary="Suivre un export")
def export_detail(request: HttpRequest, export_id: int):
    return _export_out(_export_job(request, export_id))


@router.get(
    "/exports/{export_id}/file",
    response=responses(None, not_found=True),
    summary="Télécharger un export",
    openapi_extra=file_download(
        "Le fichier de l’export (CSV, XLSX ou ODS).",
        tuple(export_format.content_type.split(";")[0] for export_format in ExportFormat),
    ),
)
def export_file(request: HttpRequest, export_id: int):
    job = _export_job(request, export_id)
    if job.status != ExportJob.Status.DONE or not job.file or job.expires_at < timezone.now():
        raise HttpError(404, "Cet export n’est pas prêt, ou il n’est plus disponible.")
    export_format = ExportFormat(job.format)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"dossiers-{job.procedure.slug}-{job.pk}.{export_format.extension}",
        content_type=export_format.content_type,
    )
