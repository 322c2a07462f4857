from guichet.core.management.loop import LoopCommand
from guichet.core.task_recovery import tasks_recover


class Command(LoopCommand):
    help = (
        "Remet en file les tâches qu’un worker arrêté brutalement (SIGKILL, machine perdue) laissait "
        "« en cours » : elles sont reprises depuis le début par un autre worker. Avec --every, tourne en "
        "boucle (c’est ce que fait `manage.py serve`)."
    )
    started = "Tâches interrompues : remise en file toutes les {every} secondes."
    failed = "Remise en file interrompue"

    def round(self) -> None:
        recovered = tasks_recover()
        if recovered:
            self.stdout.write(f"Tâches remises en file : {len(recovered)}.")
