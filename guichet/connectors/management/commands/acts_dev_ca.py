from django.core.management.base import BaseCommand

from guichet.connectors.base import ConnectorNotConfigured
from guichet.connectors.registry import connector_for
from guichet.connectors.seal_dev_authority.connector import DevAuthoritySeal


class Command(BaseCommand):
    help = (
        "Crée, s’ils n’existent pas, l’autorité de certification et le certificat de cachet de développement "
        "sous var/seal/ (sans effet quand un certificat de production est configuré)."
    )

    def handle(self, *args, **options):
        try:
            connector = connector_for("seal")
        except ConnectorNotConfigured as error:  # none, and the development one is not allowed; or a broken one
            self.stderr.write(f"Cachet : {error}")
            return
        if not isinstance(connector, DevAuthoritySeal):
            self.stdout.write("Cachet : certificat de production configuré, rien à créer.")
            return
        authority, created = connector.authority_ensure()
        verb = "créés" if created else "déjà présents"
        self.stdout.write(
            f"Cachet de développement {verb} : {authority.seal_pkcs12} (autorité : {authority.ca_certificate})"
        )
