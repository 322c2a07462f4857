from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "guichet.archives"
    label = "archives"
    verbose_name = "Archivage"
