from guichet.core.management.loop import LoopCommand
from guichet.invoicing.deposits import FollowReport, invoices_follow


class Command(LoopCommand):
    help = (
        "Dépose sur Chorus Pro les factures et avoirs émis, puis suit chacun jusqu’à son paiement ou son "
        "rejet. Reprend là où il s’était arrêté ; ne dépose jamais deux fois une facture. Avec --every, "
        "tourne en boucle."
    )

    started = "Factures vers Chorus Pro : toutes les {every:g} secondes."
    failed = "Suivi des factures interrompu"
    batch_help = "Factures traitées par passage."

    def round(self) -> FollowReport:
        report = invoices_follow(batch=self.batch)
        if report.deposited or report.paid or report.rejected or report.errors or self.verbosity > 1:
            self.stdout.write(
                f"Factures : {report.deposited} déposée(s), {report.available} mise(s) à disposition, "
                f"{report.paid} payée(s), {report.rejected} rejetée(s), {report.waiting} en attente."
            )
        for error in report.errors:
            self.stderr.write(error)
        return report
