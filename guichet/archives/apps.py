from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "guichet.archives"
    label = "archives"
    verbose_name = "Archivage"

    def ready(self) -> None:
        from guichet.dossiers.workflow import transition_checked
        from guichet.procedures.hooks import procedure_retention_changed, publication_checks_asked

        from .retention import retention_on_transition
        from .retention_settings import retention_publication_checks, retention_reschedule

        publication_checks_asked.connect(retention_publication_checks)
        procedure_retention_changed.connect(retention_reschedule)
        # A reopened dossier goes back to the start of its archival life, or stays closed when the
        # archives hold it; an eliminated one moves no more.
        transition_checked.connect(retention_on_transition)
