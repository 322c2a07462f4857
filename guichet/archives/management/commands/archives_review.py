from guichet.archives.elimination import elimination_lists_propose_due, eliminations_resume
from guichet.archives.retention import retention_review
from guichet.core.management.loop import LoopCommand
from guichet.core.task_results import task_results_prune


class Command(LoopCommand):
    help = (
        "Examine les échéances de conservation : donne à chaque dossier terminé sa durée d’utilité "
        "administrative, et passe ceux dont elle a pris fin à leur sort final (à verser, à éliminer). "
        "Avec --every, tourne en boucle (c’est ce que fait `manage.py serve`)."
    )

    started = "Conservation : échéances examinées toutes les {every} secondes."
    failed = "Examen des échéances de conservation interrompu"

    def round(self) -> dict[str, int]:
        counts = retention_review()
        if any(counts.values()) or self.verbosity > 1:
            self.stdout.write(
                "Conservation : {scheduled} dossier(s) pris en compte, {to_transfer} à verser, "
                "{to_eliminate} à éliminer, {reopened} rouvert(s).".format(**counts)
            )
        for created in elimination_lists_propose_due():
            self.stdout.write(f"Élimination : bordereau n°{created.number} établi, en attente du visa.")
        # The purge of approved elimination lists that a stopped worker left unfinished.
        eliminated = eliminations_resume()
        if eliminated or self.verbosity > 1:
            self.stdout.write(f"Élimination : {eliminated} dossier(s) éliminé(s) en reprise.")
        # Finished task results may hold a rendered email about an eliminated dossier.
        pruned = task_results_prune()
        if pruned or self.verbosity > 1:
            self.stdout.write(f"Tâches : {pruned} résultat(s) ancien(s) supprimé(s).")
        return counts
