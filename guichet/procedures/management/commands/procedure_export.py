import json

from django.core.management.base import BaseCommand, CommandError

from guichet.procedures.exchange import procedure_export
from guichet.procedures.models import Procedure


class Command(BaseCommand):
    help = "Exporte une démarche (formulaire en cours et réglages) en JSON, selon docs/procedure.schema.json."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--output", "-o", help="Fichier à écrire (par défaut : la sortie standard).")

    def handle(self, *args, slug, output=None, **options):
        procedure = Procedure.objects.select_related("organisation").filter(slug=slug).first()
        if procedure is None:
            raise CommandError(f"Aucune démarche n’a l’adresse « {slug} ».")
        text = json.dumps(procedure_export(procedure), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
        else:
            self.stdout.write(text, ending="")
