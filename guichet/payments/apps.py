from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "guichet.payments"
    label = "payments"
    verbose_name = _("Paiements")

    def ready(self) -> None:
        from guichet.dossiers.workflow import transition_applied, transition_checked

        from .rules import payment_on_transition, payment_required_before_filing

        # A dossier whose fee is due before filing is filed only once paid; a refused one's payment
        # is to be refunded.
        transition_checked.connect(payment_required_before_filing)
        transition_applied.connect(payment_on_transition)
