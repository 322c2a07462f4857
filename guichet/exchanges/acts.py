"""Acts issued after a dossier's HubEE case was made, deposited on that case (decision
docs/decisions/0049-hubee-later-acts.md): the receipt and the decision of a dossier received from
HubEE reach the applicant through the online service they used (Guichet emails them nothing), and
the decision on a dossier sent through HubEE reaches the administration it was sent to. Each act is
described in an ATTACH_DEPOSIT event on the case, then uploaded with its SHA-256; the event's ids are
kept first (ActDeposit), and the event's message carries the act's reference, so that a retry after
a lost answer finds the event on the case instead of depositing the act twice."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from guichet.connectors.data_exchange import DataExchangeConnector
from guichet.connectors.hubee.client import HubeeCredentials
from guichet.connectors.registry import connector_for
from guichet.documents.models import Act, ActStatus
from guichet.documents.services import act_attachment
from guichet.dossiers.models import Dossier

from .credentials import subscription_credentials, transmission_credentials
from .models import ActDeposit, ReceivedCase, SentFolder


def _case_of(dossier: Dossier) -> tuple[HubeeCredentials, str, set[int]] | None:
    """The dossier's HubEE case, with the credentials of our side of it and the acts that went with
    the folder itself (a sent dossier's receipt); None for a dossier that HubEE did not carry."""
    received = (
        ReceivedCase.objects.select_related("subscription")
        .filter(dossier=dossier, outcome=ReceivedCase.Outcome.CREATED)
        .first()
    )
    if received is not None:
        return subscription_credentials(received.subscription), received.case_id, set()
    sent = SentFolder.objects.select_related("transmission").filter(dossier=dossier).exclude(completed_at=None).first()
    if sent is not None and sent.case_id:
        in_folder = {reference["act"] for reference in sent.attachments.values() if "act" in reference}
        return transmission_credentials(sent.transmission), sent.case_id, in_folder
    return None


def _marker(act: Act) -> str:
    return f"[Guichet acte {act.pk}]"


def _announced(
    connector: DataExchangeConnector, credentials: HubeeCredentials, case_id: str, act: Act, dossier: Dossier
) -> ActDeposit:
    """The act's event on the case: found there (an earlier attempt whose answer was lost), or made."""
    case = connector.case(credentials=credentials, case_id=case_id)
    event = next((item for item in case.get("events") or [] if _marker(act) in (item.get("message") or "")), None)
    if event is None:
        name, content, mime = act_attachment(act)
        description = {
            "fileName": name[:255],
            "type": f"ACTE_{act.kind.upper()}",
            "size": len(content),
            "mimeType": mime,
        }
        message = f"Dossier n°{dossier.number} : {act.get_kind_display()} {_marker(act)}"
        event = connector.attachments_deposit(
            credentials=credentials, case_id=case_id, attachments=[description], message=message
        )
    attachment_id = ((event.get("attachments") or [{}])[0]).get("id", "")
    try:
        with transaction.atomic():
            return ActDeposit.objects.create(
                act=act, case_id=case_id, event_id=event.get("id", ""), attachment_id=attachment_id
            )
    except IntegrityError:  # a worker that ran the same step at the same time recorded it
        return ActDeposit.objects.get(act=act)


def dossier_acts_deposit(*, dossier: Dossier) -> dict:
    """Deposit on the dossier's HubEE case each act issued and not deposited yet; goes on from where
    an earlier attempt stopped. Raises ConnectorError when HubEE cannot take it now (the chain tries
    again)."""
    where = _case_of(dossier)
    if where is None:
        return {}
    credentials, case_id, in_folder = where
    acts = Act.objects.filter(dossier=dossier, status=ActStatus.ISSUED).exclude(pk__in=in_folder).order_by("pk")
    known = {deposit.act_id: deposit for deposit in ActDeposit.objects.filter(act__in=acts)}
    pending = [act for act in acts if act.pk not in known or known[act.pk].uploaded_at is None]
    if not pending:
        return {}
    connector = connector_for("data_exchange")
    for act in pending:
        deposit = known.get(act.pk) or _announced(connector, credentials, case_id, act, dossier)
        connector.event_attachment_upload(
            credentials=credentials,
            case_id=case_id,
            event_id=deposit.event_id,
            attachment_id=deposit.attachment_id,
            content=act_attachment(act)[1],
        )
        ActDeposit.objects.filter(pk=deposit.pk).update(uploaded_at=timezone.now())
    return {"hubee_acts": [act.pk for act in pending]}
