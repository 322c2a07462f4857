"""The steps of the follow-up chain (chain.py): each does one thing that follows a transition, and
returns its outcome (kept on the step). A step that raises is tried again later; one that raises
StepGivenUp will never succeed, and the chain goes on without it."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from guichet.core.emails import email_deliver, email_render
from guichet.documents.models import Act, ActStatus
from guichet.documents.services import act_attachment, act_for_transition, act_generation_failed, act_issue
from guichet.documents.template_limits import TemplateTooCostly
from guichet.dossiers.models import DossierSnapshot, TransitionLog, TransitionName
from guichet.dossiers.workflow import TRANSITIONS
from guichet.exchanges.followup import dossier_followed_elsewhere, exchanges_for_transition
from guichet.invoicing.amounts import InvoiceInvalid
from guichet.invoicing.fee_invoices import fee_invoice_issue, fee_invoices_cancel
from guichet.payments.selectors import fee_situation, payment_awaited
from guichet.procedures.fees import FeeMoment
from guichet.webhooks.emission import webhooks_emit_for_transition

from ..models import FollowUpStep
from ..notifications import instructors_notify

Name = FollowUpStep.Name


class StepWaiting(Exception):
    """The step waits for someone (the applicant's payment): the chain stops there, without a
    failure, until the awaited event wakes it; `outcome` is kept meanwhile."""

    def __init__(self, outcome: dict):
        super().__init__("en attente")
        self.outcome = outcome


class StepGivenUp(Exception):
    """The step can never succeed: the chain records why and goes on."""

    def __init__(self, message: str, outcome: dict | None = None):
        super().__init__(message)
        self.outcome = outcome or {}


def _message_id(step: FollowUpStep) -> str:
    """The Message-ID of the step's email, the same at every attempt (core/emails.py: email_deliver)."""
    domain = urlsplit(settings.GUICHET_SITE_URL).hostname or "guichet.invalid"
    return f"<suivi-{step.pk}@{domain}>"


def _act_of(log: TransitionLog) -> Act | None:
    kind = TRANSITIONS[TransitionName(log.transition)].act
    return Act.objects.filter(transition=log, kind=kind).first() if kind else None


def issue_act(*, log: TransitionLog, step: FollowUpStep, last_attempt: bool) -> dict:
    """Make and seal the act that the transition issues (the receipt, the decision). Its failure is
    recorded on the act; at the last attempt the act is marked failed and the chain goes on. A
    template over its bounds (template_limits.py) fails the same way at once: trying again would
    meet the same bounds."""
    act = act_for_transition(log=log, kind=TRANSITIONS[TransitionName(log.transition)].act)
    try:
        act = act_issue(act_id=act.pk)
    except TemplateTooCostly as error:
        act = act_generation_failed(act_id=act.pk, error=error, given_up=True)
        raise StepGivenUp(act.last_error, outcome={"act": act.pk, "failed": True}) from error
    except Exception as error:
        act_generation_failed(act_id=act.pk, error=error, given_up=last_attempt)
        raise
    return {"act": act.pk, "code": act.code}


def email_applicant(*, log: TransitionLog, step: FollowUpStep, last_attempt: bool) -> dict:
    """Tell the applicant, with the act attached when it was issued (without it when its generation
    failed for good: the act is sent alone later, if an instructor has it made again)."""
    dossier = log.dossier
    elsewhere = dossier_followed_elsewhere(dossier)
    if elsewhere:
        raise StepGivenUp(elsewhere)
    if not dossier.applicant.email:
        raise StepGivenUp("L’usager n’a pas d’adresse électronique.")
    act = _act_of(log)
    attached = act if act is not None and act.status == ActStatus.ISSUED else None
    context = {"dossier": dossier, "procedure": dossier.procedure, "log": log, "act": attached}
    email = email_render(TRANSITIONS[TransitionName(log.transition)].applicant_email, context)
    attachments = [act_attachment(attached)] if attached is not None else []
    email_deliver(email=email, to=[dossier.applicant.email], attachments=attachments, message_id=_message_id(step))
    return {"to": dossier.applicant.email, "act": attached.pk if attached else None}


def send_late_act(*, log: TransitionLog, step: FollowUpStep, last_attempt: bool) -> dict:
    """An act issued after the applicant's email left without it (its generation had failed, then
    an instructor had it made again): sent alone, once."""
    act = _act_of(log)
    emailed = FollowUpStep.objects.filter(transition=log, name=Name.EMAIL_APPLICANT).values("outcome").first()
    if act is None or act.status != ActStatus.ISSUED:
        raise StepGivenUp("L’acte n’a pas été émis.")
    if emailed is not None and emailed["outcome"].get("act") == act.pk:
        return {"act": act.pk, "already_sent": True}
    dossier = log.dossier
    context = {
        "act": act,
        "dossier": dossier,
        "procedure": dossier.procedure,
        "dossier_url": settings.GUICHET_SITE_URL + reverse("usager:dossier_detail", args=[dossier.pk]),
    }
    email_deliver(
        email=email_render("documents/act_available", context),
        to=[dossier.applicant.email],
        attachments=[act_attachment(act)],
        message_id=_message_id(step),
    )
    return {"act": act.pk, "to": dossier.applicant.email}


def _notice_text(log: TransitionLog) -> str:
    dossier = log.dossier
    where = f"n°{dossier.number} ({dossier.procedure.title})"
    if log.transition == TransitionName.SUBMIT:
        return f"Nouveau dossier {where}"
    if log.transition == TransitionName.SUBMIT_CORRECTIONS:
        snapshot = (
            DossierSnapshot.objects.filter(
                dossier=dossier, kind=DossierSnapshot.Kind.CORRECTION, created_at__lte=log.at
            )
            .order_by("-created_at", "-pk")
            .only("changed_fields")
            .first()
        )
        changed = len(snapshot.changed_fields) if snapshot is not None else 0
        return f"Dossier {where} corrigé par l’usager : {changed} champ(s) modifié(s)"
    reason = log.motivation.strip()
    return f"Dossier {where} retiré par l’usager" + (f" : « {reason[:120]} »" if reason else "")


def notify_instructors(*, log: TransitionLog, step: FollowUpStep, last_attempt: bool) -> dict:
    """Tell the instructors of the dossier's group (a row each, emailed at once or in the digest).
    The rows and the step's outcome are written in one transaction: a retried step writes none twice."""
    with transaction.atomic():
        locked = FollowUpStep.objects.select_for_update().get(pk=step.pk)
        if locked.status == FollowUpStep.Status.DONE:
            return locked.outcome
        kind = TRANSITIONS[TransitionName(log.transition)].instructors_notice
        told = instructors_notify(dossier=log.dossier, kind=kind, text=_notice_text(log))
        outcome = {"kind": kind, "told": told}
        FollowUpStep.objects.filter(pk=step.pk).update(status=FollowUpStep.Status.DONE, outcome=outcome)
    return outcome


def webhooks(*, log: TransitionLog, step: FollowUpStep, last_attempt: bool) -> dict:
    """Tell the transition's events (and its act, once issued) to the subscriptions that match:
    the messages and their deliveries are written at once, and sent by the webhooks' own worker and
    retries (webhooks/delivery.py). Repeated, it writes nothing twice."""
    return {"messages": webhooks_emit_for_transition(log=log)}


def await_payment(*, log: TransitionLog, step: FollowUpStep, last_attempt: bool) -> dict:
    """The acceptance act is delivered once the fee due after acceptance is paid: the applicant is
    asked to pay (once), and the chain waits; the payment wakes it (followup_wake_on_payment)."""
    dossier = log.dossier
    dossier.refresh_from_db(fields=["state", "last_transition_at"])
    if dossier.last_transition_at is not None and dossier.last_transition_at > log.at:
        # Reopened (or decided again) meanwhile: this acceptance is not delivered; a new one has its own chain.
        FollowUpStep.objects.filter(
            transition=log, position__gt=step.position, status=FollowUpStep.Status.PENDING
        ).update(status=FollowUpStep.Status.SKIPPED, outcome={"skipped": "décision remplacée avant le paiement"})
        return {"superseded": True}
    if not payment_awaited(dossier):
        paid = fee_situation(dossier)
        return {"paid": paid.paid.reference if paid is not None and paid.paid is not None else None}
    if step.outcome.get("asked"):
        raise StepWaiting(step.outcome)
    if dossier.applicant.email:
        situation = fee_situation(dossier)
        context = {
            "dossier": dossier,
            "procedure": dossier.procedure,
            "amount": situation.amount_display if situation is not None else "",
            "payment_url": settings.GUICHET_SITE_URL + reverse("paiements:dossier", args=[dossier.pk]),
        }
        email_deliver(
            email=email_render("payments/fee_due", context), to=[dossier.applicant.email], message_id=_message_id(step)
        )
    raise StepWaiting({"asked": dossier.applicant.email or True})


def exchanges(*, log: TransitionLog, step: FollowUpStep, last_attempt: bool) -> dict:
    """Tell HubEE the new status of a dossier received from it, or send a dossier just filed to the
    administration that its procedure transmits to (guichet/exchanges/followup.py). Repeated, it
    sends nothing twice."""
    return exchanges_for_transition(log=log)


# The fee invoiced to a company at a transition: at the filing, or at the acceptance.
INVOICED_AT = {TransitionName.SUBMIT: FeeMoment.BEFORE_FILING, TransitionName.ACCEPT: FeeMoment.AFTER_ACCEPTANCE}


def issue_invoice(*, log: TransitionLog, step: FollowUpStep, last_attempt: bool) -> dict:
    """Invoice the company charged with the procedure's fee (its Factur-X deposited on Chorus Pro by
    the invoicing worker). Run again, it returns the invoice already issued. What the answers lack
    (the company's name, a valid SIRET) gives up at once: the instructor sees why on the dossier."""
    try:
        invoice = fee_invoice_issue(
            dossier=log.dossier, moment=INVOICED_AT[TransitionName(log.transition)], transition=log
        )
    except InvoiceInvalid as error:
        raise StepGivenUp(str(error), outcome={"invoice": None}) from error
    if invoice is None:
        return {"invoice": None}
    return {"invoice": invoice.pk, "number": invoice.number}


def cancel_invoice(*, log: TransitionLog, step: FollowUpStep, last_attempt: bool) -> dict:
    """Cancel with a credit note the fee's invoice not paid, the dossier refused, withdrawn or
    closed. A deposit under way on Chorus Pro makes it wait (tried again later)."""
    return {"credit_notes": [credit_note.number for credit_note in fee_invoices_cancel(dossier=log.dossier)]}


STEPS: dict[str, Callable[..., dict]] = {
    Name.ISSUE_ACT: issue_act,
    Name.EMAIL_APPLICANT: email_applicant,
    Name.NOTIFY_INSTRUCTORS: notify_instructors,
    Name.SEND_LATE_ACT: send_late_act,
    Name.WEBHOOKS: webhooks,
    Name.AWAIT_PAYMENT: await_payment,
    Name.EXCHANGES: exchanges,
    Name.ISSUE_INVOICE: issue_invoice,
    Name.CANCEL_INVOICE: cancel_invoice,
}
