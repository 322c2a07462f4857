from django_tasks import task

from guichet.procedures.models import Procedure, ProcedureVersion

from .services import dossiers_version_migrate


@task()
def dossiers_version_migrate_task(procedure_id: int, version_id: int) -> dict[str, list[int]]:
    """After a publication: move the drafts whose answers fit the new version, tell the others.
    Idempotent, so a retried or repeated run changes nothing more."""
    procedure = Procedure.objects.get(pk=procedure_id)
    version = ProcedureVersion.objects.get(pk=version_id, procedure=procedure)
    report = dossiers_version_migrate(procedure=procedure, version=version)
    return {"moved": report.moved, "kept": sorted(report.kept)}
