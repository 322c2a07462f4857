"""What the follow-up chain's « exchanges » step does after a transition (instruction/followup):
tell HubEE the new status of a dossier received from it, and send a dossier just filed to the
administration its procedure transmits to. Both are kept per transition: repeated, they send nothing
twice."""

from guichet.dossiers.models import Dossier, TransitionLog

from .models import ReceivedCase
from .sending import dossier_transmit
from .status import status_send_for_transition


def exchanges_for_transition(*, log: TransitionLog) -> dict:
    return {**status_send_for_transition(log=log), **dossier_transmit(log=log)}


def dossier_followed_elsewhere(dossier: Dossier) -> str | None:
    """Why the applicant is told by another service than Guichet's emails (a dossier received from
    HubEE: the online service they used tells them, from the statuses sent back), or None."""
    if ReceivedCase.objects.filter(dossier=dossier).exists():
        return "Dossier reçu par HubEE : l’usager suit son dossier sur le service en ligne où il l’a déposé."
    return None
