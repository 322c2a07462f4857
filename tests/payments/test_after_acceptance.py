"""A fee due after acceptance: the acceptance act is issued, but delivered to the applicant only
once the fee is paid (a step of the follow-up chain that waits); a refused dossier's payment is
marked for refund."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from guichet.dossiers.models import ActKind, DossierState, TransitionName
from guichet.dossiers.workflow import dossier_transition
from guichet.instruction.followup.chain import followup_run
from guichet.instruction.models import FollowUpStep
from guichet.payments.models import Payment, PaymentStatus
from tests.connectors.payfip.stand_in import PAID_CARD
from tests.factories import DossierFactory, ProcedureFactory, instructor_of
from tests.payments.conftest import fee_definition, payfip_notifies, person_comes_back

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("payfip_settings")]


def _accepted(django_capture_on_commit_callbacks):
    procedure = ProcedureFactory(draft_definition=fee_definition(moment="after_acceptance", unit_price="80"))
    with django_capture_on_commit_callbacks(execute=True):
        dossier = DossierFactory(procedure=procedure, in_instruction=True)
        dossier_transition(dossier=dossier, name=TransitionName.ACCEPT, actor=instructor_of(procedure))
    return dossier


def test_the_act_waits_for_the_payment_then_goes_with_the_quittance(client, payfip, django_capture_on_commit_callbacks):
    dossier = _accepted(django_capture_on_commit_callbacks)
    step = FollowUpStep.objects.get(transition__dossier=dossier, name=FollowUpStep.Name.AWAIT_PAYMENT)
    assert step.status == FollowUpStep.Status.PENDING and step.outcome["asked"] == dossier.applicant.email
    # The applicant is asked to pay; the decision is not delivered yet.
    asked = [m for m in mail.outbox if "frais à payer" in m.subject]
    assert len(asked) == 1 and "80,00\u00a0€" in asked[0].body and not asked[0].attachments
    email = FollowUpStep.objects.get(transition=step.transition, name=FollowUpStep.Name.EMAIL_APPLICANT)
    assert email.status == FollowUpStep.Status.PENDING
    client.force_login(dossier.applicant)
    page = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Frais à payer : 80,00\u00a0€" in page and "Décision d’acceptation" not in page
    act = dossier.acts.get(kind=ActKind.ACCEPTANCE)
    assert client.get(reverse("usager:dossier_act", args=[dossier.pk, act.pk])).status_code == 404

    response = client.post(reverse("paiements:dossier", args=[dossier.pk]))
    payment = Payment.objects.get(dossier=dossier)
    assert response["Location"] == payment.redirect_url and payment.amount_cents == 8000
    finished = payfip.person_finishes(payment.operation_id, PAID_CARD)
    with django_capture_on_commit_callbacks(execute=True):
        person_comes_back(client, finished)
    step.refresh_from_db()
    assert step.status == FollowUpStep.Status.DONE
    email.refresh_from_db()
    assert email.status == FollowUpStep.Status.DONE
    delivered = [m for m in mail.outbox if any(name.startswith("acceptation-") for name, _, _ in m.attachments)]
    assert len(delivered) == 1
    page = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Décision d’acceptation" in page and "Quittance de paiement" in page
    assert client.get(reverse("usager:dossier_act", args=[dossier.pk, act.pk])).status_code == 200


def test_a_refused_dossier_payment_is_marked_for_refund(client, payfip, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory(draft_definition=fee_definition())
    dossier = DossierFactory(procedure=procedure)
    client.force_login(dossier.applicant)
    client.post(reverse("paiements:dossier", args=[dossier.pk]))
    payment = Payment.objects.get(dossier=dossier)
    finished = payfip.person_finishes(payment.operation_id, PAID_CARD)
    payfip_notifies(client, finished)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    instructor = instructor_of(procedure)
    dossier_transition(dossier=dossier, name=TransitionName.START_INSTRUCTION, actor=instructor)
    dossier_transition(dossier=dossier, name=TransitionName.REFUSE, actor=instructor, motivation="Pièces manquantes.")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.refund_due_at is not None


def test_an_acceptance_reopened_before_the_payment_is_never_delivered(payfip, django_capture_on_commit_callbacks):
    dossier = _accepted(django_capture_on_commit_callbacks)
    step = FollowUpStep.objects.get(transition__dossier=dossier, name=FollowUpStep.Name.AWAIT_PAYMENT)
    with django_capture_on_commit_callbacks(execute=True):
        reopen = TransitionName.REOPEN
        dossier_transition(dossier=dossier, name=reopen, actor=instructor_of(dossier.procedure), motivation="Erreur.")
    mail.outbox.clear()
    followup_run(transition_id=step.transition_id, now=timezone.now() + timedelta(hours=7))
    step.refresh_from_db()
    assert step.status == FollowUpStep.Status.DONE and step.outcome == {"superseded": True}
    email = FollowUpStep.objects.get(transition=step.transition, name=FollowUpStep.Name.EMAIL_APPLICANT)
    assert email.status == FollowUpStep.Status.SKIPPED
    assert not any("acceptée" in message.subject for message in mail.outbox)
