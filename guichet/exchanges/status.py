"""Statuses sent back to HubEE as a received dossier moves (the follow-up chain's « exchanges » step):
each transition of the workflow is told as the documented case status that says it to the applicant
on the other side. Told once per transition: a StatusSent row is kept with HubEE's event id, and the
event's message carries the transition's reference, so that a retry after a lost answer finds the
event on the case instead of sending it twice."""

from django.db import IntegrityError, transaction

from guichet.connectors.registry import connector_for
from guichet.dossiers.models import TransitionLog, TransitionName

from .credentials import subscription_credentials
from .models import CaseStatus, ReceivedCase, StatusSent

# What each transition is, in HubEE's case statuses.
STATUS_OF_TRANSITION: dict[str, str] = {
    TransitionName.SUBMIT: CaseStatus.SI_RECEIVED,
    TransitionName.START_INSTRUCTION: CaseStatus.IN_PROGRESS,
    TransitionName.REQUEST_CORRECTION: CaseStatus.ADD_AWAITING,
    TransitionName.SUBMIT_CORRECTIONS: CaseStatus.IN_PROGRESS,
    TransitionName.ACCEPT: CaseStatus.DONE,
    TransitionName.REFUSE: CaseStatus.REFUSED,
    TransitionName.CLOSE: CaseStatus.CLOSED,
    TransitionName.REOPEN: CaseStatus.IN_PROGRESS,
    TransitionName.WITHDRAW: CaseStatus.CLOSED,
}


def _marker(log: TransitionLog) -> str:
    return f"[Guichet changement d’état {log.pk}]"


def _message(log: TransitionLog) -> str:
    dossier = log.dossier
    text = f"Dossier n°{dossier.number} : {TransitionName(log.transition).label}"
    if log.motivation.strip() and log.transition in (TransitionName.REFUSE, TransitionName.REQUEST_CORRECTION):
        text += f" — {log.motivation.strip()[:600]}"
    return f"{text} {_marker(log)}"


def _event_already_sent(connector, credentials, case_id: str, log: TransitionLog) -> str | None:
    case = connector.case(credentials=credentials, case_id=case_id)
    for event in case.get("events") or []:
        if _marker(log) in (event.get("message") or ""):
            return event.get("id") or ""
    return None


def status_send_for_transition(*, log: TransitionLog) -> dict:
    """Tell HubEE the case status that the transition `log` means, when its dossier came from HubEE;
    once per transition. Raises ConnectorError when HubEE cannot take it now (the chain tries again)."""
    received = ReceivedCase.objects.select_related("subscription").filter(dossier_id=log.dossier_id).first()
    if received is None:
        return {}
    status = STATUS_OF_TRANSITION.get(log.transition)
    sent = StatusSent.objects.filter(transition=log).first()
    if status is None or sent is not None:
        return {"hubee_status": sent.status if sent else None, "already_sent": sent is not None}
    connector = connector_for("data_exchange")
    credentials = subscription_credentials(received.subscription)
    # An earlier attempt may have been taken without its answer arriving (ConnectorOutcomeUnknown):
    # the case's events say so.
    event_id = _event_already_sent(connector, credentials, received.case_id, log)
    if event_id is None:
        event = connector.status_send(
            credentials=credentials, case_id=received.case_id, status=status, message=_message(log)
        )
        event_id = event.get("id", "")
    try:
        with transaction.atomic():
            StatusSent.objects.create(case=received, transition=log, status=status, event_id=event_id)
    except IntegrityError:
        pass  # a worker that ran the same step at the same time recorded it
    return {"hubee_status": status, "event": event_id}
