"""What a dossier owes and has paid. Reads only; the screens check who asks (the applicant's and the
instructors' own selectors) before asking these."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet

from guichet.accounts.models import Organisation, User
from guichet.documents.models import Act
from guichet.dossiers.models import ActKind, Dossier, DossierState
from guichet.procedures.fees import (
    FeeAmount,
    FeeDefinition,
    FeeKind,
    FeeMoment,
    FeePayer,
    FeeUncomputable,
    euros,
    fee_lines,
)
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import organisation_administered, version_form

from .models import Payment, PaymentMoment, PaymentStatus

# PayFiP takes no payment under 1 €.
MINIMUM_CENTS = 100


def procedure_charges(procedure: Procedure) -> bool:
    """Whether the procedure's applicants pay a fee online, or did (a payment was made)."""
    version_id = procedure.versions.order_by("-number").values_list("pk", flat=True).first()
    fee = version_form(version_id).fee if version_id is not None else None
    charges = fee is not None and fee.charges and fee.payer == FeePayer.APPLICANT
    return charges or Payment.objects.filter(dossier__procedure=procedure).exists()


def procedure_fee_notice(procedure: Procedure) -> str:
    """What the procedure's page tells the public about its fee, before they start ("": none)."""
    version_id = procedure.versions.order_by("-number").values_list("pk", flat=True).first()
    fee = version_form(version_id).fee if version_id is not None else None
    if fee is None or not fee.charges:
        return ""
    if fee.payer == FeePayer.COMPANY:
        return "Cette démarche est payante : les frais sont facturés à l’entreprise indiquée dans la demande."
    when = "avant le dépôt du dossier" if fee.moment == FeeMoment.BEFORE_FILING else "après l’acceptation de la demande"
    if fee.kind == FeeKind.FIXED:
        amount = euros(fee_lines(definition=fee, answers={}).total)
        return f"Cette démarche est payante : {amount}, à payer en ligne {when}."
    return (
        "Cette démarche est payante : le montant, calculé d’après vos réponses, vous est indiqué "
        f"avant le paiement, en ligne, {when}."
    )


def dossier_fee(dossier: Dossier) -> FeeDefinition | None:
    """The fee of the dossier's version that its applicant pays online, when it charges one. A fee
    charged to a company (payer « company ») is invoiced instead (the invoicing app), not paid here."""
    fee = version_form(dossier.version_id).fee
    if fee is None or not fee.charges or fee.payer != FeePayer.APPLICANT:
        return None
    return fee


def fee_amount(dossier: Dossier, fee: FeeDefinition) -> FeeAmount:
    """The dossier's fee for its current answers (FeeUncomputable when they do not allow it)."""
    return fee_lines(definition=fee, answers=dossier.answers)


def paid_payment(dossier: Dossier, moment: str) -> Payment | None:
    """The payment that settled the fee (the one not to refund first, after a double payment)."""
    return (
        Payment.objects.filter(dossier=dossier, moment=moment, status=PaymentStatus.PAID)
        .select_related("quittance")
        .order_by(F("refund_due_at").asc(nulls_first=True), "pk")
        .first()
    )


@dataclass(frozen=True)
class FeeSituation:
    """Where a dossier stands with its fee: what is charged, when, and whether it is paid."""

    moment: str
    amount: FeeAmount | None  # for the current answers; None: they do not let it be computed
    problem: str  # why it cannot be computed, in French
    paid: Payment | None

    @property
    def cents(self) -> int | None:
        if self.paid is not None:
            return self.paid.amount_cents
        return self.amount.cents if self.amount is not None else None

    @property
    def due(self) -> bool:
        return self.paid is None and bool(self.cents)

    @property
    def amount_display(self) -> str:
        return euros(Decimal(self.cents) / 100) if self.cents is not None else ""


def fee_situation(dossier: Dossier) -> FeeSituation | None:
    """The dossier's fee and its payment; None when its procedure charges nothing."""
    fee = dossier_fee(dossier)
    if fee is None:
        return None
    moment = PaymentMoment(str(fee.moment))
    paid = paid_payment(dossier, moment)
    if paid is not None:
        return FeeSituation(moment, None, "", paid)
    try:
        amount = fee_amount(dossier, fee)
    except FeeUncomputable as error:
        return FeeSituation(moment, None, str(error), None)
    return FeeSituation(moment, amount, "", None)


def fee_due_after_acceptance(dossier: Dossier) -> bool:
    """Whether the dossier's procedure charges its fee once the dossier is accepted."""
    fee = dossier_fee(dossier)
    return fee is not None and fee.moment == FeeMoment.AFTER_ACCEPTANCE


def payment_awaited(dossier: Dossier) -> bool:
    """Whether the dossier waits for its payment now: before filing (a draft), or after its
    acceptance (the act is delivered once paid)."""
    situation = fee_situation(dossier)
    if situation is None or not situation.due:
        return False
    if situation.moment == FeeMoment.BEFORE_FILING:
        return dossier.state == DossierState.DRAFT
    return dossier.state == DossierState.ACCEPTED


def acts_delivered(dossier: Dossier, acts: Iterable[Act]) -> list[Act]:
    """The acts the applicant may have: an acceptance waits for the fee due after it."""
    withheld = payment_awaited(dossier) and dossier.state == DossierState.ACCEPTED
    return [act for act in acts if not (withheld and act.kind == ActKind.ACCEPTANCE)]


def dossier_payments(dossier: Dossier) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier=dossier).select_related("quittance").order_by("created_at", "pk")


def _for_export(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    return payments.select_related("dossier__procedure", "quittance").order_by("created_at", "pk")


def payments_of_procedures(procedure_ids) -> QuerySet[Payment]:
    """Every payment of these procedures, oldest first (the accountant's export)."""
    return _for_export(Payment.objects.filter(dossier__procedure_id__in=procedure_ids))


def payments_of_organisation_administered(user: User, *, organisation_pk: int) -> tuple[Organisation, QuerySet]:
    """An organisation whose procedures the person administers, and every payment of its
    procedures, oldest first (for its accountant); Organisation.DoesNotExist for any other."""
    organisation = organisation_administered(user, organisation_pk)
    return organisation, _for_export(Payment.objects.filter(dossier__procedure__organisation=organisation))
