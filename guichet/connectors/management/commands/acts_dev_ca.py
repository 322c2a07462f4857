from django.conf import settings
from django.core.management.base import BaseCommand

from guichet.documents.seal import dev_authority_ensure


class Command(BaseCommand):
    help = (
        "Crée, s’ils n’existent pas, l’autorité de certification et le certificat de cachet de développement "
        "sous var/seal/ (sans effet quand un certificat de production est configuré)."
    )

    def handle(self, *args, **options):
        if settings.GUICHET_SEAL_PKCS12_PATH or settings.GUICHET_SEAL_PKCS11_MODULE:
            self.stdout.write("Cachet : certificat de production configuré, rien à créer.")
            return
        if not settings.GUICHET_SEAL_DEV_CA:
            self.stderr.write("Cachet : aucun certificat configuré et le certificat de développement est interdit.")
            return
        authority, created = dev_authority_ensure()
        verb = "créés" if created else "déjà présents"
        self.stdout.write(
            f"Cachet de développement {verb} : {authority.seal_pkcs12} (autorité : {authority.ca_certificate})"
        )
