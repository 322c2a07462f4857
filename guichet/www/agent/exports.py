"""What instructors take away from a list: its export (CSV, XLSX, ODS: streamed, or prepared by the
worker when the list is long, then downloaded) and the ZIP of the ticked dossiers' attachments."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.replicas import on_replica, reads_from_replica
from guichet.instruction.bulk import BULK_LIMIT
from guichet.instruction.exports import (
    ExportFormat,
    attachments_zip_chunks,
    export_chunks,
    export_columns_available,
    export_columns_chosen,
    export_filename,
    export_header,
    export_rows,
)
from guichet.instruction.exports.jobs import export_is_large, export_job_create
from guichet.instruction.models import ExportJob
from guichet.instruction.selectors import (
    dossiers_of_instructor_in,
    instructor_dossiers_listed,
    procedures_of_instructor,
)
from guichet.invoicing.models import Invoice
from guichet.www.invoices import invoices_csv_response

from .access import instructor_required
from .lists import chosen_answer_columns, list_filters


@instructor_required
@reads_from_replica
def list_export(request: HttpRequest, slug: str, extension: str) -> HttpResponse:
    """The current list (all its pages) as CSV, XLSX or ODS: the dossier's own columns and the
    answers the instructor chose, streamed as it is written."""
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    if extension not in ExportFormat.values:
        raise Http404("Ce format d’export n’existe pas.")
    export_format = ExportFormat(extension)
    _, filters, *_ = list_filters(request, procedure, request.GET, warn=False)
    fixed = [column.id for column in export_columns_available(procedure=procedure) if column.field is None]
    columns = export_columns_chosen(procedure=procedure, ids=fixed) + chosen_answer_columns(request.user, procedure)
    if export_is_large(actor=request.user, procedure=procedure, filters=filters):
        job = export_job_create(
            actor=request.user, procedure=procedure, export_format=export_format, filters=filters, columns=columns
        )
        messages.info(request, "Cette liste est longue : son export est préparé, vous pourrez le télécharger ici.")
        return redirect("agent:export_job", pk=job.pk)
    # Streamed after the view returns: bound to the replica now.
    dossiers = on_replica(instructor_dossiers_listed(request.user, procedure, filters))
    audit_record(
        actor=request.user,
        action=AuditAction.DOSSIERS_EXPORT,
        target=procedure,
        # Whether a search narrowed it, never what was searched: an instructor searches for people by
        # name, and the audit trail outlives every elimination (its hash chain is never rewritten, 0001).
        details={
            "format": export_format.value,
            "tab": filters.tab.value,
            "search": bool(filters.text),
            "state": filters.state,
        },
    )
    chunks = export_chunks(
        header=export_header(columns),
        rows=export_rows(queryset=dossiers, columns=columns, typed=export_format.typed_cells),
        format=export_format,
    )
    response = StreamingHttpResponse(chunks, content_type=export_format.content_type)
    filename = export_filename(procedure=procedure, extension=export_format.extension)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@instructor_required
@require_POST
def attachments_zip(request: HttpRequest, slug: str) -> HttpResponse:
    """The attachments of the dossiers ticked in a list, as one ZIP streamed as it is written."""
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    try:
        ids = [int(value) for value in request.POST.getlist("dossiers")]
    except ValueError:
        ids = []
    dossiers = dossiers_of_instructor_in(request.user, procedure).filter(pk__in=ids).order_by("-submitted_at", "-pk")
    if not ids or len(ids) > BULK_LIMIT or dossiers.count() != len(set(ids)):
        messages.error(request, f"Cochez de 1 à {BULK_LIMIT} dossiers de vos groupes pour télécharger leurs pièces.")
        return redirect(reverse("agent:dossier_list", args=[procedure.slug]))
    audit_record(
        actor=request.user, action=AuditAction.DOSSIERS_ATTACHMENTS_ZIP, target=procedure, details={"dossiers": ids}
    )
    response = StreamingHttpResponse(attachments_zip_chunks(queryset=dossiers), content_type="application/zip")
    filename = export_filename(procedure=procedure, extension="zip").replace("dossiers-", "pieces-", 1)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_job(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.select_related("procedure"), pk=pk, actor=request.user)


@instructor_required
def export_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_job(request, pk)
    template = "agent/_export_progress.html" if request.htmx else "agent/export_job.html"
    return render(request, template, {"job": job, "expired": bool(job.expires_at and job.expires_at < timezone.now())})


@instructor_required
def export_job_file(request: HttpRequest, pk: int) -> FileResponse:
    job = _export_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file or job.expires_at < timezone.now():
        raise Http404("Cet export n’est pas (ou plus) disponible.")
    export_format = ExportFormat(job.format)
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=export_filename(procedure=job.procedure, extension=export_format.extension),
    )
    response["Content-Type"] = export_format.content_type
    return response


@instructor_required
def invoices_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The invoices and credit notes of the procedure's dossiers that the instructor sees, as CSV for
    the accountant (credit notes negative)."""
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    invoices = Invoice.objects.filter(dossier__in=dossiers_of_instructor_in(request.user, procedure))
    audit_record(actor=request.user, action=AuditAction.INVOICES_EXPORT, target=procedure, details={})
    return invoices_csv_response(invoices, file_name=f"factures-{procedure.slug}.csv")
