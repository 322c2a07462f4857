"""Large exports: a list of more than LARGE_EXPORT dossiers is written by the worker into a file of
the private storage, with its progress, and its author downloads it for EXPORT_KEPT."""

import dataclasses
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.replicas import on_replica_caught_up
from guichet.core.task_queue import task_enqueue_after_commit
from guichet.procedures.models import Procedure

from ..lists import ListFilters, Tab, tab_of
from ..models import ExportJob
from ..selectors import dossiers_listed_in_groups, instructor_dossiers_listed
from .columns import Cell, ExportColumn, export_columns_chosen
from .formats import ExportFormat, export_chunks
from .rows import export_header, export_rows

LARGE_EXPORT = 10_000  # dossiers: above, the export is written by the worker
EXPORT_KEPT = timedelta(days=7)
_PROGRESS_EVERY = 2_000


_DAYS = ("filed_from", "filed_to")


def _filters_stored(filters: ListFilters) -> dict:
    stored = dataclasses.asdict(filters) | {"tab": filters.tab.value}
    return stored | {name: stored[name].isoformat() for name in _DAYS if stored[name] is not None}


def _filters_read(stored: dict) -> ListFilters:
    days = {name: date.fromisoformat(stored[name]) for name in _DAYS if stored.get(name)}
    return ListFilters(**{**stored, **days, "tab": tab_of(stored.get("tab"), Tab.ALL)})


def export_is_large(*, actor: User, procedure: Procedure, filters: ListFilters) -> bool:
    """Whether the list holds more than LARGE_EXPORT dossiers (a bounded count: cheap at any size)."""
    listed = instructor_dossiers_listed(actor, procedure, filters).order_by()
    return listed[: LARGE_EXPORT + 1].count() > LARGE_EXPORT


@transaction.atomic
def export_job_create(
    *,
    actor: User | None,
    procedure: Procedure,
    export_format: ExportFormat,
    filters: ListFilters,
    columns: list[ExportColumn],
    group_ids: list[int] | None = None,
    api_owner: str = "",
    actor_label: str = "",
) -> ExportJob:
    """Ask the worker for the export of a list; the job's page follows it. Through the API,
    `group_ids` names the groups whose dossiers it holds (a service account has no groups of its
    own: `actor` None, named by `actor_label`) and `api_owner` who may follow it."""
    if actor is None and group_ids is None:
        raise ValueError("An export asked by no person says which groups it holds.")
    job = ExportJob.objects.create(
        actor=actor,
        procedure=procedure,
        format=ExportFormat(export_format).value,
        filters=_filters_stored(filters),
        columns=[column.id for column in columns],
        group_ids=group_ids,
        api_owner=api_owner,
    )
    audit_record(
        actor=actor,
        action=AuditAction.DOSSIERS_EXPORT,
        target=procedure,
        details={"format": job.format, "job": job.pk},
        actor_label=actor_label,
    )
    task_enqueue_after_commit(export_job_run_task, job_id=job.pk)
    return job


def _counted(rows: Iterator[list[Cell]], job: ExportJob) -> Iterator[list[Cell]]:
    for done, row in enumerate(rows, start=1):
        yield row
        if done % _PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the job's file (idempotent: a job done is left as it is)."""
    job = ExportJob.objects.select_related("actor", "procedure").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job
    filters = _filters_read(job.filters)
    try:
        columns = export_columns_chosen(procedure=job.procedure, ids=job.columns)
        if job.group_ids is not None:
            dossiers = dossiers_listed_in_groups(job.procedure, job.group_ids, filters)
        else:
            dossiers = instructor_dossiers_listed(job.actor, job.procedure, filters)
        # A long read, on a replica that holds what its author did before asking it (the job is run
        # at once: a replica within the lag allowed could miss the decision taken just before).
        dossiers = on_replica_caught_up(dossiers)
        job.rows_total, job.status = dossiers.count(), ExportJob.Status.RUNNING
        job.save(update_fields=["rows_total", "status", "updated_at"])
        export_format = ExportFormat(job.format)
        rows = _counted(export_rows(queryset=dossiers, columns=columns, typed=export_format.typed_cells), job)
        with tempfile.TemporaryFile() as written:
            for chunk in export_chunks(header=export_header(columns), rows=rows, format=export_format):
                written.write(chunk)
            written.seek(0)
            job.file.save(f"{job.procedure.slug}-{job.pk}.{job.format}", File(written), save=False)
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED)
        raise
    job.status, job.rows_done = ExportJob.Status.DONE, job.rows_total
    job.expires_at = timezone.now() + EXPORT_KEPT
    job.save(update_fields=["status", "rows_done", "file", "expires_at", "updated_at"])
    return job


@task()
def export_job_run_task(*, job_id: int) -> int:
    return export_job_run(job_id=job_id).rows_done


def export_jobs_purge(*, now: datetime | None = None) -> int:
    """Delete the files of the exports past their time (the `serve` loop calls it)."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file=""):
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        purged += 1
    return purged
