from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstructionConfig(AppConfig):
    name = "guichet.instruction"
    label = "instruction"
    verbose_name = _("Instruction")

    def ready(self) -> None:
        from guichet.accounts.hooks import agent_roles_collect
        from guichet.dossiers.workflow import transition_applied
        from guichet.exchanges.hooks import received_message_written
        from guichet.invoicing.hooks import invoice_needs_attention
        from guichet.payments.hooks import payment_settled

        from .followup.chain import followup_start, followup_wake_on_payment
        from .messages import applicant_message_told
        from .notifications import instructors_notify_invoice
        from .selectors import expert_role_add

        # Whatever follows a transition, whoever applied it, goes through the follow-up chain.
        transition_applied.connect(followup_start)
        # An acceptance act that waited for its fee is delivered once paid.
        payment_settled.connect(followup_wake_on_payment)
        agent_roles_collect.connect(expert_role_add)
        # What an applicant's online service adds to a case received through HubEE is a message from them.
        received_message_written.connect(applicant_message_told)
        # The buyer sends an invoice back or holds it on Chorus Pro: the instructors are told once.
        invoice_needs_attention.connect(instructors_notify_invoice)
