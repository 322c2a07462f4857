from django.core.management.base import CommandError

from guichet.core.management.loop import LoopCommand
from guichet.instruction.followup.chain import followups_resume


class Command(LoopCommand):
    help = (
        "Reprend les suites des changements d’état en attente (actes à émettre, courriels, avis aux "
        "instructeurs) dont la tâche a été perdue ou dont le worker s’est arrêté. À lancer chaque minute "
        "(timer systemd, cron) ; avec --every, tourne en boucle (c’est ce que fait `manage.py serve`)."
    )

    def handle(self, *args, **options):
        every = options["every"]
        if every is None:
            try:
                self._run()
            except Exception as error:
                raise CommandError(f"Reprise des suites impossible : {error}") from error
            return
        self.loop(
            every, self._run, started=f"Suites : reprise toutes les {every} secondes.", failed="Reprise interrompue"
        )

    def _run(self) -> None:
        resumed = followups_resume()
        if resumed:
            self.stdout.write(f"Suites reprises : {len(resumed)} changement(s) d’état.")
