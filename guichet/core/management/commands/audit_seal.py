from guichet.core.audit import audit_seal_all
from guichet.core.management.loop import LoopCommand


class Command(LoopCommand):
    help = (
        "Scelle dans la chaîne d’empreintes du journal d’audit les événements enregistrés depuis le "
        "dernier passage. Avec --every, tourne en boucle (c’est ce que fait `manage.py serve`) : un "
        "événement reste non scellé au plus quelques secondes."
    )
    every_type = float

    def handle(self, *args, **options):
        every = options["every"]
        if every is None:
            self.stdout.write(f"Événements scellés : {audit_seal_all()}.")
            return
        self.loop(
            every,
            audit_seal_all,
            started=f"Journal d’audit : scellement toutes les {every:g} secondes.",
            failed="Scellement du journal d’audit interrompu",
        )
