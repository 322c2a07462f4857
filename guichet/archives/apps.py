from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "guichet.archives"
    label = "archives"
    verbose_name = "Archivage"

    def ready(self) -> None:
        from guichet.dossiers.workflow import transition_checked

        from .retention import retention_on_transition

        # A reopened dossier goes back to the start of its archival life, or stays closed when the
        # archives hold it; an eliminated one moves no more.
        transition_checked.connect(retention_on_transition)
