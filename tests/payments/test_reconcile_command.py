"""`manage.py payments_reconcile`: one round settles what it can and says what it did."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from guichet.dossiers.models import DossierState
from guichet.payments.models import Payment, PaymentStatus
from guichet.payments.reconciliation import payments_reconcile
from tests.connectors.payfip.stand_in import CANCELLED, PAID_CARD

pytestmark = pytest.mark.usefixtures("payfip_settings")


def test_one_round_reports_what_it_settled(applicant_client, draft, payfip):
    applicant_client.post(reverse("paiements:dossier", args=[draft.pk]))
    payment = Payment.objects.get(dossier=draft)
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    payfip.person_finishes(payment.operation_id, PAID_CARD)
    out = io.StringIO()
    call_command("payments_reconcile", stdout=out)
    assert "Paiements réglés (paid : 1)" in out.getvalue()
    draft.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED


def test_an_unreachable_service_is_counted_and_tried_again(applicant_client, draft, payfip):
    applicant_client.post(reverse("paiements:dossier", args=[draft.pk]))
    payfip.unavailable = 10
    later = timezone.now() + timedelta(minutes=10)
    assert payments_reconcile(now=later).unreachable == 1
    payfip.unavailable = 0
    assert payments_reconcile(now=later).still_pending == 1


def test_a_cancelled_operation_later_paid_counts_as_paid(applicant_client, draft, payfip):
    """eopayment's caution: PayFiP may say « cancelled » while the person can still pay the same
    operation; a cancelled payment is asked again while its operation may still be paid."""
    applicant_client.post(reverse("paiements:dossier", args=[draft.pk]))
    payment = Payment.objects.get(dossier=draft)
    payfip.person_finishes(payment.operation_id, CANCELLED)
    applicant_client.get(reverse("paiements:retour", args=[payment.reference]))
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CANCELLED
    payfip.person_finishes(payment.operation_id, PAID_CARD)
    payments_reconcile(now=timezone.now() + timedelta(minutes=10))
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID
    draft.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED
