from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "guichet.www"
    label = "www"
    verbose_name = "Écrans"
