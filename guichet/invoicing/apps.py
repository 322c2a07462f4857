from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "guichet.invoicing"
    label = "invoicing"
    verbose_name = "Facturation"
