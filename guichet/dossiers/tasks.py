from django_tasks import task

from guichet.core.task_queue import task_enqueue_after_commit
from guichet.procedures.models import Procedure, ProcedureVersion

from .versions import dossiers_version_migrate


@task()
def dossiers_version_migrate_task(procedure_id: int, version_id: int) -> dict[str, list[int]]:
    """After a publication: move the drafts whose answers fit the new version, tell the others.
    Idempotent, so a retried or repeated run changes nothing more."""
    procedure = Procedure.objects.get(pk=procedure_id)
    version = ProcedureVersion.objects.get(pk=version_id, procedure=procedure)
    report = dossiers_version_migrate(procedure=procedure, version=version)
    return {"moved": report.moved, "kept": sorted(report.kept)}


def drafts_move_on_publish(*, procedure: Procedure, version: ProcedureVersion, actor=None) -> None:
    """Listener of procedures' `procedure_published`: drafts started on an older version move to
    this one when their answers fit, after the commit (so that the worker sees the new version)."""
    task_enqueue_after_commit(dossiers_version_migrate_task, procedure.pk, version.pk)
