import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guichet.archives.models import ArchiveTransfer
from guichet.archives.packages import PackageInvalid, package_build
from guichet.dossiers.models import Dossier


class Command(BaseCommand):
    help = (
        "Écrit le paquet d’archives (SIP, SEDA 2.2) d’un dossier terminé : un ZIP avec son bordereau "
        "manifest.xml, validé contre les schémas SEDA 2.2, et ses fichiers."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", help="numéro du dossier, par exemple 2026-000042")
        parser.add_argument("-o", "--output", required=True, help="fichier ZIP à écrire")

    def handle(self, *args, **options):
        dossier = Dossier.objects.select_related("procedure__organisation").filter(number=options["number"]).first()
        if dossier is None:
            raise CommandError(f"Aucun dossier ne porte le numéro {options['number']}.")
        target = Path(options["output"]).resolve()
        if not target.parent.is_dir():
            raise CommandError(f"Le dossier {target.parent} n’existe pas.")
        # The next transfer's attempt: the package written here is the one it would send.
        attempt = ArchiveTransfer.objects.filter(dossier=dossier).count() + 1
        # Written beside the target, then moved into place: a refused package leaves nothing behind.
        handle, temporary = tempfile.mkstemp(prefix=".sip-", suffix=".zip", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                package = package_build(dossier=dossier, out=out, actor=None, attempt=attempt)
            os.replace(temporary, target)
        except PackageInvalid as refused:
            raise CommandError(refused.message) from refused
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.stdout.write(
            f"Paquet {package.name} écrit dans {target} : {package.objects} fichier(s), {package.size} octets, "
            f"SHA-512 {package.sha512}."
        )
