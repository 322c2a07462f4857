import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from guichet.core.audit import audit_seal_all


class Command(BaseCommand):
    help = (
        "Scelle dans la chaîne d’empreintes du journal d’audit les événements enregistrés depuis le "
        "dernier passage. Avec --every, tourne en boucle (c’est ce que fait `manage.py serve`) : un "
        "événement reste non scellé au plus quelques secondes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDES",
            help="recommencer toutes les SECONDES secondes, jusqu’à l’arrêt du processus",
        )

    def handle(self, *args, **options):
        every = options["every"]
        if every is None:
            self.stdout.write(f"Événements scellés : {audit_seal_all()}.")
            return
        if every <= 0:
            raise CommandError("--every attend un nombre de secondes positif.")
        self.stdout.write(f"Journal d’audit : scellement toutes les {every:g} secondes.")
        self.stdout.flush()  # seen at once in a log file, not when the buffer fills
        while True:
            try:
                audit_seal_all()
            except Exception as error:  # the loop outlives a locked or unreachable database
                self.stderr.write(f"Scellement du journal d’audit interrompu : {error}")
                self.stderr.flush()
                close_old_connections()
            time.sleep(every)
