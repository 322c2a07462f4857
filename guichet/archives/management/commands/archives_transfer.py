from guichet.archives.transfers import TransfersReport, transfers_run
from guichet.core.management.loop import LoopCommand


class Command(LoopCommand):
    help = (
        "Verse au système d’archivage (Vitam, ou un dossier de dépôt) les dossiers dont la durée d’utilité "
        "administrative a pris fin et dont le sort final est de les conserver ou de les trier, puis suit "
        "chaque versement jusqu’à son accusé (ATR). Reprend là où il s’était arrêté. Avec --every, tourne "
        "en boucle (c’est ce que fait `manage.py serve`)."
    )

    started = "Versements aux archives : toutes les {every:g} secondes."
    failed = "Versements aux archives interrompus"
    batch_help = "Versements traités par passage."

    def round(self) -> TransfersReport:
        report = transfers_run(batch=self.batch)
        if report.created or report.sent or report.accepted or report.refused or report.errors or self.verbosity > 1:
            self.stdout.write(
                f"Versements : {report.created} préparé(s), {report.sent} envoyé(s), {report.accepted} accepté(s), "
                f"{report.refused} refusé(s), {report.waiting} en attente de réponse."
            )
        for error in report.errors:
            self.stderr.write(error)
        return report
