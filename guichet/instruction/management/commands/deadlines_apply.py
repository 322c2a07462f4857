import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from guichet.instruction.exports.jobs import export_jobs_purge
from guichet.instruction.notifications import notifications_daily_digest
from guichet.instruction.services import SilenceReport, dossiers_silence_decide


class Command(BaseCommand):
    help = (
        "Prend les décisions implicites (le silence vaut accord ou rejet) sur les dossiers dont le délai "
        "d’instruction est dépassé. À lancer régulièrement (timer systemd, cron) ; avec --every, "
        "tourne en boucle (c’est ce que fait `manage.py serve`)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDES",
            help="recommencer toutes les SECONDES secondes, jusqu’à l’arrêt du processus",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        every = options["every"]
        if every is None:
            report = self._run()
            if report.failed:
                raise CommandError(
                    f"Décision implicite impossible sur {len(report.failed)} dossier(s) : voir le journal."
                )
            return
        if every < 1:
            raise CommandError("--every attend un nombre de secondes positif.")
        self.stdout.write(f"Décisions implicites : vérification toutes les {every} secondes.")
        while True:
            try:
                self._run()
            except Exception as error:  # the loop outlives a locked or unreachable database
                self.stderr.write(f"Vérification des délais interrompue : {error}")
            finally:
                close_old_connections()
                # Seen at once in a log file, not when the buffer fills.
                self.stdout.flush()
                self.stderr.flush()
            time.sleep(every)

    def _run(self) -> SilenceReport:
        report = dossiers_silence_decide(now=timezone.now())
        # The instructors' daily digest rides on the same loop: sent once a day, from 8:00.
        digests = notifications_daily_digest()
        if digests:
            self.stdout.write(f"Résumés quotidiens envoyés : {digests}.")
        purged = export_jobs_purge()
        if purged:
            self.stdout.write(f"Exports périmés supprimés : {purged}.")
        if report.decided or report.skipped or report.failed or self.verbosity > 1:
            self.stdout.write(
                f"Décisions implicites : {len(report.decided)} prise(s), {len(report.skipped)} ignorée(s) "
                f"(décidés ou modifiés entre-temps), {len(report.failed)} en échec."
            )
        return report
