from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstructionConfig(AppConfig):
    name = "guichet.instruction"
    label = "instruction"
    verbose_name = _("Instruction")

    def ready(self) -> None:
        from guichet.accounts.hooks import agent_roles_collect
        from guichet.dossiers.workflow import transition_applied

        from .followup.chain import followup_start
        from .selectors import expert_role_add

        # Whatever follows a transition, whoever applied it, goes through the follow-up chain.
        transition_applied.connect(followup_start)
        agent_roles_collect.connect(expert_role_add)
