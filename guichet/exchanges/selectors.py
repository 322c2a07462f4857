"""Reads of HubEE's settings and exchanges: for an organisation's administrators, only those of the
organisations they administer; for a dossier's pages, what HubEE says of it."""

from django.db.models import QuerySet

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import organisation_ids_administered_by

from .models import HubeeSubscription, HubeeTransmission, ReceivedCase, SentFolder


def hubee_subscriptions_administered_by(user: User) -> QuerySet[HubeeSubscription]:
    return HubeeSubscription.objects.filter(organisation_id__in=organisation_ids_administered_by(user)).select_related(
        "organisation", "procedure"
    )


def hubee_subscription_for_administrator(user: User, subscription_id: int) -> HubeeSubscription | None:
    return hubee_subscriptions_administered_by(user).filter(pk=subscription_id).first()


def procedures_for_hubee(user: User) -> QuerySet[Procedure]:
    return Procedure.objects.filter(organisation_id__in=organisation_ids_administered_by(user)).order_by("title")


def received_cases_of(subscription: HubeeSubscription) -> QuerySet[ReceivedCase]:
    return subscription.cases.select_related("dossier").order_by("-received_at", "-pk")


def hubee_transmission_of(procedure: Procedure) -> HubeeTransmission | None:
    return HubeeTransmission.objects.filter(procedure=procedure).first()


def hubee_exchange_of(dossier: Dossier) -> dict | None:
    """What HubEE says of a dossier, for its pages: where it came from, or where it was sent and the
    status there; None for a dossier that HubEE never carried."""
    received = ReceivedCase.objects.filter(dossier=dossier).first()
    if received is not None:
        last = received.statuses.order_by("-sent_at", "-pk").first()
        name = " ".join(str(received.applicant.get(key) or "") for key in ("firstName", "lastName")).strip()
        return {"received": received, "applicant": name, "status_sent": last.get_status_display() if last else ""}
    sent = SentFolder.objects.select_related("transmission").filter(dossier=dossier).first()
    if sent is not None:
        status = sent.get_remote_status_display() if sent.remote_status else "En cours de transmission"
        return {"sent": sent, "remote_status": status}
    return None
