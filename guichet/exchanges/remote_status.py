"""The status of the dossiers sent through HubEE, at their recipient's, read back by the polling
round: the transmissions' notifications first (HubEE tells the online service of each status update
that the recipient makes: the event is read, applied, acknowledged, and the notification deleted),
then, for the dossiers whose case is not final yet, the folder itself (`GET /folders/{id}`), which
also catches a notification lost."""

from django.utils import timezone

from guichet.connectors.base import ConnectorError
from guichet.connectors.registry import connector_for

from .credentials import transmission_credentials
from .models import CaseStatus, HubeeTransmission, SentFolder

FINAL_STATUSES = {CaseStatus.REFUSED, CaseStatus.DONE, CaseStatus.CLOSED, CaseStatus.SI_INTG_ERROR}


def _status_apply(sent_filter: dict, status: str | None) -> int:
    if status not in CaseStatus.values:
        return 0
    now = timezone.now()
    return (
        SentFolder.objects.filter(**sent_filter)
        .exclude(remote_status=status)
        .update(remote_status=status, remote_status_at=now)
    )


def transmissions_notifications_take(*, batch: int = 50) -> int:
    """Each transmission's notifications: the status updates applied to the dossiers sent; returns
    how many dossiers' statuses changed. A transmission that HubEE cannot serve now waits for the
    next round."""
    changed = 0
    transmissions = list(HubeeTransmission.objects.filter(folders__isnull=False).distinct())
    if not transmissions:
        return 0
    connector = connector_for("data_exchange")
    for transmission in transmissions:
        credentials = transmission_credentials(transmission)
        try:
            for notification in connector.notifications(credentials=credentials, max_result=batch):
                case_id, event_id = notification.get("caseId"), notification.get("eventId")
                if case_id and event_id:
                    event = connector.event(credentials=credentials, case_id=case_id, event_id=event_id)
                    if event.get("actionType") == "STATUS_UPDATE":
                        changed += _status_apply(
                            {"transmission": transmission, "case_id": case_id}, event.get("caseNewStatus")
                        )
                    connector.event_acknowledge(credentials=credentials, case_id=case_id, event_id=event_id)
                connector.notification_delete(credentials=credentials, notification_id=notification["id"])
        except ConnectorError:
            continue
    return changed


def folders_refresh(*, batch: int = 100) -> int:
    """Read the remote status of the dossiers sent whose case is not final yet; returns how many
    changed. A folder that HubEE cannot serve now is passed over until the next round."""
    changed = 0
    pending = (
        SentFolder.objects.filter(completed_at__isnull=False)
        .exclude(remote_status__in=FINAL_STATUSES)
        .select_related("transmission")
        .order_by("remote_status_at")[:batch]
    )
    connector = None
    for sent in pending:
        connector = connector or connector_for("data_exchange")
        try:
            folder = connector.folder(credentials=transmission_credentials(sent.transmission), folder_id=sent.folder_id)
        except ConnectorError:
            continue
        status = next(
            (case.get("status") for case in folder.get("cases") or [] if case.get("id") == sent.case_id), None
        )
        changed += _status_apply({"pk": sent.pk}, status)
        SentFolder.objects.filter(pk=sent.pk).update(remote_status_at=timezone.now())
    return changed
