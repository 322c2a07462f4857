from django.utils import timezone

from guichet.core.management.loop import LoopCommand
from guichet.dossiers.changes import dossier_changes_prune
from guichet.dossiers.files import PurgeReport, dossier_files_purge


class Command(LoopCommand):
    help = (
        "Supprime les fichiers joints auxquels plus aucune réponse, aucun message ni aucun avis ne renvoie "
        "(après GUICHET_UPLOAD_ORPHAN_GRACE_HOURS heures), et les changements du flux de l’API plus vieux "
        "que GUICHET_API_CHANGES_RETENTION_DAYS jours. À lancer régulièrement (timer systemd, cron) ; "
        "avec --every, tourne en boucle (c’est ce que fait `manage.py serve`)."
    )

    started = "Fichiers inutilisés : nettoyage toutes les {every} secondes."
    failed = "Nettoyage des fichiers inutilisés interrompu"

    def round(self) -> PurgeReport:
        now = timezone.now()
        report = dossier_files_purge(now=now)
        changes = dossier_changes_prune(now=now)
        if changes or self.verbosity > 1:
            self.stdout.write(f"Changements du flux de l’API plus conservés, supprimés : {changes}.")
        if report.files or report.strays or self.verbosity > 1:
            self.stdout.write(
                f"Fichiers inutilisés supprimés : {report.files} (sur {len(report.dossiers)} dossier(s)), "
                f"contenus sans fiche : {report.strays}."
            )
        return report
