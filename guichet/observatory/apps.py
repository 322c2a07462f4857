from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "guichet.observatory"
    label = "observatory"
    verbose_name = "Observatoire"

    def ready(self) -> None:
        from guichet.procedures.hooks import procedure_published

        from .programme_link import programme_entry_on_publish

        procedure_published.connect(programme_entry_on_publish)
