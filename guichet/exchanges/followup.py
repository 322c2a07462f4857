"""What the follow-up chain's « exchanges » step does after a transition (instruction/followup):
send a dossier just filed to the administration its procedure transmits to; deposit on the dossier's
HubEE case the acts issued since (acts.py: its decision); then tell HubEE the new status of a dossier
received from it (after its act, so that the applicant finds the decision when told « Terminé »).
Each is kept: repeated, they send nothing twice."""

from guichet.dossiers.models import Dossier, TransitionLog

from .acts import dossier_acts_deposit
from .models import ReceivedCase
from .sending import dossier_transmit
from .status import status_send_for_transition


def exchanges_for_transition(*, log: TransitionLog) -> dict:
    transmitted = dossier_transmit(log=log)
    deposited = dossier_acts_deposit(dossier=log.dossier)
    return {**transmitted, **deposited, **status_send_for_transition(log=log)}


def dossier_followed_elsewhere(dossier: Dossier) -> str | None:
    """Why the applicant is told by another service than Guichet's emails (a dossier received from
    HubEE: the online service they used tells them, from the statuses sent back), or None."""
    if ReceivedCase.objects.filter(dossier=dossier).exists():
        return "Dossier reçu par HubEE : l’usager suit son dossier sur le service en ligne où il l’a déposé."
    return None
