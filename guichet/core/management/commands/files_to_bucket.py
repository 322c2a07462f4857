from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError

from guichet.core.file_moving import FileMoveOutcome, files_move

# The storages whose files live on the disk until a bucket is configured, and their folders there.
FOLDERS = {"private": lambda: settings.VAR_DIR / "private", "default": lambda: Path(settings.MEDIA_ROOT)}


class Command(BaseCommand):
    help = (
        "Copie les fichiers de l’instance (pièces jointes, actes, factures, exports, bordereaux ; médias) "
        "du disque vers le compartiment S3 configuré (GUICHET_S3_BUCKET), chacun vérifié par son empreinte "
        "SHA-256. Peut être interrompue et relancée : ce qui est déjà copié et intègre n’est pas recopié. "
        "Les fichiers du disque ne sont jamais supprimés."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stockage", choices=sorted(FOLDERS), action="append", dest="aliases")
        parser.add_argument("--dossier", type=Path, help="Dossier source (un seul --stockage).")

    def handle(self, *args, aliases=None, dossier=None, verbosity=1, **options):
        aliases = aliases or ["private", "default"]
        if dossier and len(aliases) != 1:
            raise CommandError("--dossier ne s’emploie qu’avec un seul --stockage.")
        failures = 0
        for alias in aliases:
            target = storages[alias]
            if isinstance(target, FileSystemStorage):
                raise CommandError(
                    f"Le stockage « {alias} » est encore le disque : renseignez GUICHET_S3_BUCKET (et "
                    "GUICHET_S3_ENDPOINT, GUICHET_S3_ACCESS_KEY, GUICHET_S3_SECRET_KEY) avant la copie."
                )
            folder = dossier or FOLDERS[alias]()
            if not folder.is_dir():
                self.stdout.write(f"{alias} : aucun dossier {folder}, rien à copier.")
                continue

            def progress(name, outcome, alias=alias):
                if verbosity > 1 or outcome == FileMoveOutcome.FAILED:
                    self.stdout.write(f"{alias} : {name} : {outcome}")

            report = files_move(folder=folder, target=target, on_file=progress)
            for name, problem in report.failed.items():
                self.stderr.write(f"{alias} : {name} : {problem}")
            failures += len(report.failed)
            self.stdout.write(
                f"{alias} : {len(report.moved)} fichier(s) copié(s) ({report.bytes_moved} octets), "
                f"{len(report.already_there)} déjà présent(s), {len(report.failed)} en échec."
            )
        if failures:
            raise CommandError(f"{failures} fichier(s) en échec : relancez la commande une fois la cause corrigée.")
        self.stdout.write(self.style.SUCCESS("Tous les fichiers sont dans le compartiment, vérifiés."))
