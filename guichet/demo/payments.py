"""The demo's procedure with an online fee (« Réservation de la salle des fêtes », paid before
filing): its dossiers are paid on the dummy payment service (connectors/payment_dummy), as an
applicant would on its page, which files them and issues their quittance; a refused one is to be
refunded. Fewer dossiers than the other procedures: each paid one seals a quittance too."""

from guichet.accounts.models import User
from guichet.connectors.base import PaymentResult
from guichet.connectors.payment_dummy.connector import DummyPayment, dummy_operation_settle
from guichet.dossiers.models import Dossier, TransitionName
from guichet.dossiers.services import dossier_create
from guichet.dossiers.workflow import dossier_transition
from guichet.payments.services import payment_confirm, payment_start
from guichet.procedures.models import Procedure

from .answers import fake_answers

# (state reached, how many): a draft waits for its payment, one payment was cancelled then paid.
FEE_PLAN = (("draft", 2), ("submitted", 3), ("in_instruction", 2), ("accepted", 3), ("refused", 1))
AFTER_FILING = {
    "submitted": [],
    "in_instruction": [(TransitionName.START_INSTRUCTION, "")],
    "accepted": [(TransitionName.START_INSTRUCTION, ""), (TransitionName.ACCEPT, "")],
    "refused": [
        (TransitionName.START_INSTRUCTION, ""),
        (TransitionName.REFUSE, "La salle est déjà réservée à cette date pour la fête communale."),
    ],
}


def demo_fee_paid(*, dossier: Dossier, applicant: User, result: PaymentResult = PaymentResult.PAID) -> None:
    """Pay the dossier's fee on the dummy service, as its applicant would on its page."""
    dummy = DummyPayment()
    payment = payment_start(actor=applicant, dossier=dossier, connector=dummy)
    dummy_operation_settle(payment.operation_id, result)
    payment_confirm(payment=payment, connector=dummy)


def demo_fee_dossiers(procedure: Procedure, instructor: User, applicants: list[User], rng) -> None:
    if Dossier.objects.filter(procedure=procedure).exists():
        return
    definition = procedure.latest_version.definition
    position = 0
    for final_state, count in FEE_PLAN:
        for _ in range(count):
            applicant = applicants[position % len(applicants)]
            position += 1
            dossier = dossier_create(actor=applicant, procedure=procedure, answers=fake_answers(definition, rng))
            if final_state == "draft":
                continue
            if position == 4:  # changed their mind once on the payment page, then paid
                demo_fee_paid(dossier=dossier, applicant=applicant, result=PaymentResult.CANCELLED)
            demo_fee_paid(dossier=dossier, applicant=applicant)
            dossier.refresh_from_db()
            for name, motivation in AFTER_FILING[final_state]:
                dossier_transition(dossier=dossier, name=name, actor=instructor, motivation=motivation)
