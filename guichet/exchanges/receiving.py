"""Receiving dossiers from HubEE (docs/decisions/0034-hubee-receiving.md): a round reads each active
subscription's notifications; a new case is read with its attachments and becomes a dossier, filed in
the subscription's procedure under its deposit account, its answers given by the subscription's
mapping; then the notification is deleted. The case's id is unique among the cases received: a case
delivered again (a notification repeated, a round that stopped before deleting it, two rounds at
once) finds its row and makes no second dossier. A case that cannot become a dossier (an answer the
form refuses, a file the platform refuses) is told to HubEE as SI_INTG_ERROR with the reason.
The statuses that follow are sent by the follow-up chain (status.py); what the sender adds to the case
afterwards (a message, files) becomes a message on the dossier (events.py)."""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from guichet.connectors.base import ConnectorError, ConnectorRejected
from guichet.connectors.data_exchange import DataExchangeConnector
from guichet.connectors.hubee.client import HubeeNotFound
from guichet.connectors.registry import connector_for
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.dossiers.files import dossier_file_keep, file_answer
from guichet.dossiers.models import Dossier
from guichet.dossiers.services import dossier_answers_save, dossier_create, dossier_submit

from .credentials import subscription_credentials
from .events import EventNotReady, received_event_take
from .mapping import CaseContent, answers_from_case, data_read, procedure_fields
from .models import CaseStatus, HubeeSubscription, ReceivedCase

logger = logging.getLogger(__name__)


@dataclass
class PollReport:
    received: int = 0  # dossiers made
    repeated: int = 0  # cases delivered again: no new dossier
    rejected: int = 0  # cases told SI_INTG_ERROR
    events: int = 0  # other events acknowledged
    messages: int = 0  # of which, events become messages on their dossiers
    waiting: int = 0  # events whose files are not all there yet: left for the next round
    failures: list[str] = field(default_factory=list)  # per subscription, for the loop's output


class CaseRejected(Exception):
    """The case cannot become a dossier: the message (French) is told to HubEE and kept."""


def _content(connector: DataExchangeConnector, subscription: HubeeSubscription, case: dict) -> tuple[CaseContent, dict]:
    """The case's data and attachments, downloaded: (its content for the mapping, the files by type)."""
    credentials = subscription_credentials(subscription)
    data, downloads = {}, {}
    for attachment in case.get("attachments") or []:
        content = connector.case_attachment(credentials=credentials, case_id=case["id"], attachment_id=attachment["id"])
        if subscription.data_attachment_type and attachment.get("type") == subscription.data_attachment_type:
            try:
                data = data_read(content, attachment.get("mimeType", ""))
            except ValueError as error:
                raise CaseRejected(f"Pièce « {attachment.get('fileName')} » : {error}") from error
        else:
            downloads.setdefault(attachment.get("type", ""), (attachment, content))
    content = CaseContent(
        applicant=case.get("applicant") or {}, external_id=case.get("externalId", ""), data=data, files={}
    )
    return content, downloads


def _dossier_make(subscription: HubeeSubscription, case: dict, content: CaseContent, downloads: dict) -> Dossier:
    applicant = subscription.applicant_account
    procedure = subscription.procedure
    pairs = list(subscription.mappings.values_list("field_id", "source"))
    dossier = dossier_create(actor=applicant, procedure=procedure)
    wanted = {source.removeprefix("attachment.") for _, source in pairs if source.startswith("attachment.")}
    for kind in wanted & downloads.keys():
        attachment, raw = downloads[kind]
        uploaded = SimpleUploadedFile(attachment.get("fileName") or kind, raw, attachment.get("mimeType") or "")
        content.files[kind] = file_answer(dossier_file_keep(actor=applicant, dossier=dossier, uploaded=uploaded))
    answers = answers_from_case(pairs, content, procedure_fields(procedure))
    dossier = dossier_answers_save(actor=applicant, dossier=dossier, answers=answers)
    dossier = dossier_submit(actor=applicant, dossier=dossier)
    # Who filed it, as HubEE names them (not certified: the online service knows them, Guichet does not).
    dossier.identity = {
        "given_name": content.applicant.get("firstName", ""),
        "family_name": content.applicant.get("lastName", ""),
        "email": content.applicant.get("email") or "",
        "certified_by": "",
    }
    dossier.save(update_fields=["identity"])
    return dossier


def _rejection_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        messages = error.messages
        cleaned = getattr(error, "cleaned", None)  # SubmissionInvalid: what each field lacks
        if cleaned is not None and cleaned.errors:
            messages += [f"{key} : {value}" for key, value in cleaned.errors.items()]
        return "Le télédossier ne peut pas être intégré : " + " ; ".join(str(message) for message in messages)
    return f"Le télédossier ne peut pas être intégré : {error}"


def case_receive(
    *, connector: DataExchangeConnector, subscription: HubeeSubscription, case_id: str
) -> tuple[ReceivedCase, bool]:
    """Make the case `case_id` a dossier, once: (its row, whether this call made it). ConnectorError
    when HubEE cannot be read now (nothing kept: the next round tries again)."""
    existing = ReceivedCase.objects.filter(case_id=case_id).first()
    if existing is not None:
        return existing, False
    credentials = subscription_credentials(subscription)
    case = connector.case(credentials=credentials, case_id=case_id)
    try:
        content, downloads = _content(connector, subscription, case)
        with transaction.atomic():
            dossier = _dossier_make(subscription, case, content, downloads)
            received = ReceivedCase.objects.create(
                subscription=subscription,
                case_id=case_id,
                external_id=case.get("externalId", "")[:100],
                dossier=dossier,
                outcome=ReceivedCase.Outcome.CREATED,
                applicant=content.applicant,
            )
            audit_record(
                actor=None,
                action=AuditAction.HUBEE_CASE_RECEIVE,
                target=dossier,
                details={"case": case_id, "external_id": received.external_id, "process": subscription.process_code},
            )
        return received, True
    except IntegrityError:  # another round made it first
        return ReceivedCase.objects.get(case_id=case_id), False
    except (CaseRejected, ValidationError) as error:
        message = _rejection_text(error)
    # Told to HubEE first: if that fails, nothing is kept and the next round tries the whole case again.
    connector.status_send(credentials=credentials, case_id=case_id, status=CaseStatus.SI_INTG_ERROR, message=message)
    try:
        received = _rejection_keep(subscription, case, case_id, message)
    except IntegrityError:  # another round, on another node, kept it first
        return ReceivedCase.objects.get(case_id=case_id), False
    return received, True


def _rejection_keep(subscription: HubeeSubscription, case: dict, case_id: str, message: str) -> ReceivedCase:
    with transaction.atomic():
        received = ReceivedCase.objects.create(
            subscription=subscription,
            case_id=case_id,
            external_id=case.get("externalId", "")[:100],
            outcome=ReceivedCase.Outcome.REJECTED,
            error=message,
            applicant=case.get("applicant") or {},
        )
        audit_record(
            actor=None,
            action=AuditAction.HUBEE_CASE_REJECT,
            target=received,
            details={"case": case_id, "process": subscription.process_code, "error": message[:500]},
        )
    return received


def subscription_poll(
    *, connector: DataExchangeConnector, subscription: HubeeSubscription, batch: int, report: PollReport
) -> None:
    """One subscription's notifications, each taken then deleted."""
    credentials = subscription_credentials(subscription)
    for notification in connector.notifications(credentials=credentials, max_result=batch):
        try:
            _notification_take(connector, subscription, notification, report)
        except HubeeNotFound:
            logger.warning("HubEE : le télédossier de la notification %s n’existe plus", notification.get("id"))
        except EventNotReady as waiting:
            logger.info("HubEE : notification %s laissée pour la relève suivante : %s", notification.get("id"), waiting)
            report.waiting += 1
            continue
        except ConnectorRejected as refused:
            # This one stays for the next round; the others are taken in meanwhile.
            report.failures.append(f"{subscription.process_code} : {refused}")
            continue
        connector.notification_delete(credentials=credentials, notification_id=notification["id"])


def _notification_take(
    connector: DataExchangeConnector, subscription: HubeeSubscription, notification: dict, report: PollReport
) -> None:
    case_id, event_id = notification.get("caseId"), notification.get("eventId")
    if not case_id:
        return
    # An event on a case (a message, files deposited) takes its case first, should the case's own
    # notification not have been taken yet (HubEE promises no order): nothing is lost, nothing made twice.
    received, made = case_receive(connector=connector, subscription=subscription, case_id=case_id)
    if made and received.outcome == ReceivedCase.Outcome.CREATED:
        report.received += 1
    elif made:
        report.rejected += 1
    elif not event_id:
        report.repeated += 1
    if event_id:
        if received_event_take(connector=connector, received=received, event_id=event_id) is not None:
            report.messages += 1
        report.events += 1


def hubee_poll(*, batch: int = 50) -> PollReport:
    """One round over every active subscription; one subscription's trouble (HubEE unreachable,
    refused credentials) is kept on it and does not stop the others."""
    report = PollReport()
    subscriptions = list(HubeeSubscription.objects.filter(active=True).select_related("procedure", "applicant_account"))
    if not subscriptions:
        return report
    connector = connector_for("data_exchange")
    for subscription in subscriptions:
        error = ""
        try:
            subscription_poll(connector=connector, subscription=subscription, batch=batch, report=report)
        except ConnectorError as failure:
            error = str(failure)[:500]
            report.failures.append(f"{subscription.process_code} : {error}")
            logger.warning("Relève HubEE %s en échec : %s", subscription.process_code, error)
        HubeeSubscription.objects.filter(pk=subscription.pk).update(last_polled_at=timezone.now(), last_error=error)
    return report
