from django.core.management.base import CommandError

from guichet.connectors.timestamping.audit import TimestampRound, audit_chain_timestamp
from guichet.core.management.loop import LoopCommand

# Here rather than beside audit_seal in core: it asks the connectors' registry for the authority,
# and core sits below connectors (decision 0013).


class Command(LoopCommand):
    help = (
        "Fait horodater la fin de la chaîne d’empreintes du journal d’audit par l’autorité d’horodatage "
        "(RFC 3161, GUICHET_AUDIT_TSA_URL ou, à défaut, GUICHET_SEAL_TSA_URL), si elle a avancé depuis le "
        "dernier horodatage. Avec --every, tourne en boucle (`manage.py serve` le fait une fois par jour) : "
        "un échec est signalé et le passage suivant réessaie."
    )

    def handle(self, *args, **options):
        every = options["every"]
        if every is None:
            outcome = audit_chain_timestamp()
            if outcome.failure is not None:
                raise CommandError(f"Horodatage du journal d’audit impossible : {outcome.failure}")
            self.stdout.write(self._describe(outcome))
            return
        self.loop(
            every,
            self._round,
            started=f"Journal d’audit : horodatage toutes les {every} secondes.",
            failed="Horodatage du journal d’audit interrompu",
        )

    def _round(self) -> None:
        outcome = audit_chain_timestamp()
        if outcome.failure is not None:
            self.stderr.write(
                f"Horodatage du journal d’audit impossible, nouvel essai au prochain passage : {outcome.failure}"
            )
        else:
            self.stdout.write(self._describe(outcome))

    @staticmethod
    def _describe(outcome: TimestampRound) -> str:
        if not outcome.configured:
            return "Aucune autorité d’horodatage n’est configurée (GUICHET_AUDIT_TSA_URL) : rien à faire."
        if outcome.stamp is None:
            return "La chaîne d’audit n’a pas avancé depuis le dernier horodatage : rien à faire."
        return (
            f"Fin de la chaîne d’audit horodatée : événement n°{outcome.stamp.seq}, "
            f"à {outcome.stamp.authority_time:%d/%m/%Y %H:%M:%S} UTC."
        )
