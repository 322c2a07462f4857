from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from guichet.documents.services import acts_pending_enqueue


class Command(BaseCommand):
    help = (
        "Remet dans la file du worker les actes en attente de génération depuis plus de N minutes "
        "(tâche perdue avec un worker arrêté) ; à lancer régulièrement, comme deadlines_apply."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=15, metavar="MINUTES")

    def handle(self, *args, **options):
        pending = acts_pending_enqueue(older_than=timezone.now() - timedelta(minutes=options["older_than"]))
        if pending:
            self.stdout.write(f"{len(pending)} acte(s) remis dans la file : {', '.join(map(str, pending))}")
