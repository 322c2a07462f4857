from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "guichet.exchanges"
    label = "exchanges"
    verbose_name = _("Échanges entre administrations (HubEE)")
