from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "guichet.procedures"
    label = "procedures"
    verbose_name = _("Démarches")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from guichet.accounts.hooks import agent_roles_collect

        from .models import ProcedureVersion
        from .selectors import instructor_role_add, version_form_forget

        post_save.connect(version_form_forget, sender=ProcedureVersion, dispatch_uid="version_form_forget_save")
        post_delete.connect(version_form_forget, sender=ProcedureVersion, dispatch_uid="version_form_forget_delete")
        agent_roles_collect.connect(instructor_role_add)
