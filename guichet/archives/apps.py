from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "guichet.archives"
    label = "archives"
    verbose_name = "Archivage"

    def ready(self) -> None:
        from guichet.procedures.hooks import procedure_retention_changed, publication_checks_asked

        from .retention_settings import retention_publication_checks, retention_reschedule

        publication_checks_asked.connect(retention_publication_checks)
        procedure_retention_changed.connect(retention_reschedule)
