from django.core.management.base import CommandError

from guichet.core.management.loop import LoopCommand
from guichet.webhooks.delivery import DeliveryReport, webhooks_deliver_due


class Command(LoopCommand):
    help = (
        "Envoie les notifications webhooks dues (premiers envois dont la tâche a été perdue, nouveaux essais "
        "après un échec, envois d’un worker arrêté). Avec --every, tourne en boucle (c’est ce que fait "
        "`manage.py serve`)."
    )
    every_type = float
    batch_help = "Envois lus par requête."
    batch_default = 100

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        self.batch = options["batch"]
        every = options["every"]
        if every is None:
            try:
                self._run()
            except Exception as error:
                raise CommandError(f"Envoi des webhooks impossible : {error}") from error
            return
        self.loop(
            every,
            self._run,
            started=f"Webhooks : envois toutes les {every:g} secondes.",
            failed="Envoi des webhooks interrompu",
        )

    def _run(self) -> DeliveryReport:
        report = webhooks_deliver_due(batch=self.batch)
        if report.delivered or report.failed or report.abandoned or self.verbosity > 1:
            self.stdout.write(
                f"Webhooks : {report.delivered} reçu(s), {report.failed} en échec, {report.abandoned} abandonné(s)."
            )
        for subscription_id in report.disabled:
            self.stderr.write(f"Webhooks : abonnement {subscription_id} désactivé.")
        return report
