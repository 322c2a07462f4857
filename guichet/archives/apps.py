from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "guichet.archives"
    label = "archives"
    verbose_name = "Archivage"

    def ready(self) -> None:
        from guichet.procedures.hooks import publication_checks_asked

        from .retention_settings import retention_publication_checks

        publication_checks_asked.connect(retention_publication_checks)
