"""The quittance: the sealed act that proves a fee was paid, made by the documents app like every
act (PDF/A, the administration's seal, its public verification), from the payment's facts."""

import logging
from decimal import Decimal

from django.utils import timezone
from django_tasks import task

from guichet.core.task_queue import task_enqueue_after_commit
from guichet.documents.models import Act, ActStatus
from guichet.documents.services import act_generation_failed, act_issue
from guichet.dossiers.models import ActKind
from guichet.procedures.fees import euros

from .models import Payment

logger = logging.getLogger(__name__)
SERVICES = {"payfip": "PayFiP (DGFiP)", "payment_dummy": "le service de paiement de démonstration"}


def _line(line: dict) -> str:
    quantity = Decimal(line["quantity"])
    if quantity == 1:
        return f"{line['label']} : {euros(Decimal(line['net']))}"
    count = format(quantity.normalize(), "f").replace(".", ",")
    return f"{line['label']} : {count} × {euros(Decimal(line['unit_price']))} = {euros(Decimal(line['net']))}"


def _facts(payment: Payment) -> dict[str, str]:
    detail = " ; ".join(_line(line) for line in payment.lines.get("lines", []))
    paid_at = timezone.localtime(payment.paid_at)
    return {
        "montant": payment.amount_display,
        "date": paid_at.strftime("%d/%m/%Y à %H:%M"),
        "reference": payment.reference,
        "autorisation": payment.authorisation,
        "service": SERVICES.get(payment.backend, payment.backend),
        "detail": detail,
        "recette": " — ".join(part for part in (payment.revenue_account, payment.revenue_label) if part),
    }


def quittance_request(payment: Payment) -> Act:
    """Write the quittance's act for a paid payment (in the payment's transaction), to be made and
    sealed after the commit. Written once: a payment recorded again finds its act."""
    if payment.quittance_id is not None:
        return payment.quittance
    act = Act.objects.create(
        dossier_id=payment.dossier_id, kind=ActKind.QUITTANCE, requested_at=payment.paid_at, facts=_facts(payment)
    )
    Payment.objects.filter(pk=payment.pk).update(quittance=act)
    payment.quittance = act
    task_enqueue_after_commit(quittance_issue_task, act_id=act.pk)
    return act


def quittance_issue(*, act_id: int) -> Act:
    """Make and seal the quittance; a failure is kept on the act, and the reconciliation tries again."""
    try:
        return act_issue(act_id=act_id)
    except Exception as error:
        logger.exception("Quittance %s : génération en échec", act_id)
        return act_generation_failed(act_id=act_id, error=error, given_up=False)


def quittances_pending() -> list[int]:
    return list(
        Act.objects.filter(kind=ActKind.QUITTANCE, status=ActStatus.PENDING).order_by("pk").values_list("pk", flat=True)
    )


@task()
def quittance_issue_task(*, act_id: int) -> dict:
    act = quittance_issue(act_id=act_id)
    return {"act": act.pk, "status": act.status}
