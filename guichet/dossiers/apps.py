from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "guichet.dossiers"
    label = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self) -> None:
        from guichet.procedures.hooks import procedure_published

        from .tasks import drafts_move_on_publish

        procedure_published.connect(drafts_move_on_publish)
