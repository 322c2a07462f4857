from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "guichet.www"
    label = "www"
    verbose_name = "Écrans"

    def ready(self) -> None:
        from guichet.accounts.hooks import session_user_annotate

        from .context_processors import session_user_roles

        session_user_annotate.connect(session_user_roles)
