from guichet.core.management.loop import LoopCommand
from guichet.exchanges.receiving import hubee_poll
from guichet.exchanges.remote_status import folders_refresh, transmissions_notifications_take


class Command(LoopCommand):
    help = (
        "Relève HubEE : les télédossiers reçus par chaque abonnement actif deviennent des dossiers (une seule "
        "fois chacun), puis l’état des dossiers transmis par HubEE est relu chez leur destinataire. Avec "
        "--every, tourne en boucle (c’est ce que fait `manage.py serve`)."
    )
    started = "HubEE : relève toutes les {every} secondes."
    failed = "Relève HubEE interrompue"
    batch_help = "Notifications lues par abonnement et par relève."

    def round(self) -> None:
        report = hubee_poll(batch=self.batch)
        refreshed = transmissions_notifications_take(batch=self.batch) + folders_refresh()
        done = report.received or report.repeated or report.rejected or report.messages or report.waiting
        if done or refreshed or self.verbosity > 1:
            self.stdout.write(
                f"HubEE : {report.received} dossier(s) reçu(s), {report.repeated} télédossier(s) déjà reçu(s), "
                f"{report.rejected} impossible(s) à intégrer, {report.messages} message(s) reçu(s) sur des "
                f"dossiers, {report.waiting} en attente de leurs pièces, {refreshed} état(s) de dossiers "
                f"transmis mis à jour."
            )
        for failure in report.failures:
            self.stderr.write(f"HubEE : relève en échec pour {failure}")
