from guichet.core.management.loop import LoopCommand
from guichet.payments.reconciliation import payments_reconcile


class Command(LoopCommand):
    help = (
        "Rapproche les paiements en ligne restés sans résultat (l’usager n’est pas revenu, la notification "
        "s’est perdue) en interrogeant le service de paiement, et émet les quittances en attente."
    )
    started = "Rapprochement des paiements toutes les {every} secondes."
    failed = "le rapprochement des paiements"

    def round(self) -> object:
        report = payments_reconcile()
        if self.verbosity:
            settled = ", ".join(f"{status} : {count}" for status, count in sorted(report.settled.items())) or "aucun"
            self.stdout.write(
                f"Paiements réglés ({settled}), toujours en attente : {report.still_pending}, "
                f"service injoignable : {report.unreachable}, quittances émises : {report.quittances}."
            )
        return report
