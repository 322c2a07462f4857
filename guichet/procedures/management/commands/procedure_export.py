import json

from django.core.management.base import BaseCommand, CommandError

from guichet.procedures.exchange import procedure_document_schema, procedure_export
from guichet.procedures.models import Procedure


class Command(BaseCommand):
    help = "Exporte une démarche (formulaire en cours et réglages) en JSON, selon docs/procedure.schema.json."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?")
        parser.add_argument("--schema", action="store_true", help="Écrit le schéma JSON du document à la place.")
        parser.add_argument("--output", "-o", help="Fichier à écrire (par défaut : la sortie standard).")

    def handle(self, *args, slug=None, output=None, schema=False, **options):
        if schema:
            return self._write(procedure_document_schema(), output)
        if not slug:
            raise CommandError("Indiquez l’adresse (slug) de la démarche à exporter.")
        procedure = Procedure.objects.select_related("organisation").filter(slug=slug).first()
        if procedure is None:
            raise CommandError(f"Aucune démarche n’a l’adresse « {slug} ».")
        self._write(procedure_export(procedure), output)

    def _write(self, document, output) -> None:
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
        else:
            self.stdout.write(text, ending="")
