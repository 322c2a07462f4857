from guichet.archives.drafts import drafts_expire
from guichet.core.management.loop import LoopCommand


class Command(LoopCommand):
    help = (
        "Brouillons jamais déposés : prévient l’usager une semaine avant la suppression d’un brouillon "
        "laissé sans modification (GUICHET_DRAFT_RETENTION_DAYS), puis le supprime avec ses pièces jointes. "
        "Avec --every, tourne en boucle (c’est ce que fait `manage.py serve`)."
    )

    started = "Brouillons : échéances examinées toutes les {every} secondes."
    failed = "Examen des brouillons expirés interrompu"

    def round(self) -> None:
        report = drafts_expire()
        if report.warned or report.deleted or self.verbosity > 1:
            self.stdout.write(
                f"Brouillons : {report.warned} usager(s) prévenu(s), {report.deleted} brouillon(s) supprimé(s)."
            )
