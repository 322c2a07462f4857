from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "guichet.documents"
    label = "documents"
    verbose_name = _("Actes et accusés de réception")

    def ready(self) -> None:
        from guichet.procedures.hooks import publication_checks_asked

        from .publication import act_publication_checks

        publication_checks_asked.connect(act_publication_checks)
