from django.core.management.base import CommandError
from django.utils import timezone

from guichet.core.management.loop import LoopCommand
from guichet.instruction.exports.jobs import export_jobs_purge
from guichet.instruction.notifications import notifications_daily_digest
from guichet.instruction.silence import SilenceReport, dossiers_silence_decide


class Command(LoopCommand):
    help = (
        "Prend les décisions implicites (le silence vaut accord ou rejet) sur les dossiers dont le délai "
        "d’instruction est dépassé. À lancer régulièrement (timer systemd, cron) ; avec --every, "
        "tourne en boucle (c’est ce que fait `manage.py serve`)."
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
        self.loop(
            every,
            self._run,
            started=f"Décisions implicites : vérification toutes les {every} secondes.",
            failed="Vérification des délais interrompue",
        )

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
