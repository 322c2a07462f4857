import json

from django.core.management.base import BaseCommand, CommandError

from guichet.procedures.definition import DefinitionInvalid
from guichet.procedures.exchange import procedure_import


class Command(BaseCommand):
    help = "Importe une démarche depuis un fichier JSON (mêmes vérifications que l’éditeur ; tout ou rien)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}.") from error
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{file} n’est pas du JSON valide (ligne {error.lineno}, colonne {error.colno})."
            ) from error
        try:
            procedure = procedure_import(actor=None, data=data)
        except DefinitionInvalid as error:
            lines = "\n".join(f"  - {path} : {message}" for path, message in error.errors)
            raise CommandError(f"Démarche refusée, rien n’a été enregistré :\n{lines}") from error
        self.stdout.write(self.style.SUCCESS(f"Démarche « {procedure.title} » importée ({procedure.slug})."))
