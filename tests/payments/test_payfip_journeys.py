"""The applicant pays a fee due before filing, through PayFiP (the stand-in): paid, refused,
cancelled, the notification before the return, the return before the notification, and the
applicant who never comes back. Each way, the payment is recorded once and the dossier filed once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guichet.core.models import AuditAction, AuditEvent
from guichet.documents.models import Act, ActStatus
from guichet.dossiers.models import ActKind, DossierState
from guichet.payments.models import Payment, PaymentStatus
from guichet.payments.reconciliation import payments_reconcile
from tests.connectors.payfip.stand_in import CANCELLED, PAID_CARD, PAID_DEBIT, REFUSED_CARD
from tests.factories import DossierFactory, ProcedureFactory
from tests.payments.conftest import fee_definition, payfip_notifies, person_comes_back

pytestmark = pytest.mark.usefixtures("payfip_settings")


def _pay(client, dossier):
    """From the summary: the button opens the payment and sends the applicant to PayFiP."""
    summary = client.get(reverse("usager:dossier_summary", args=[dossier.pk])).content.decode()
    assert "Payer 12,50\u00a0€ et déposer le dossier" in summary
    response = client.post(reverse("paiements:dossier", args=[dossier.pk]))
    assert response.status_code == 302
    payment = Payment.objects.get(dossier=dossier)
    assert response["Location"] == payment.redirect_url
    return payment


def test_paid_the_dossier_is_filed_with_a_sealed_quittance(
    applicant_client, draft, payfip, django_capture_on_commit_callbacks
):
    payment = _pay(applicant_client, draft)
    assert payfip.calls[-1][1]["montant"] == "1250"
    finished = payfip.person_finishes(payment.operation_id, PAID_CARD)
    with django_capture_on_commit_callbacks(execute=True):
        response = person_comes_back(applicant_client, finished)
    assert response["Location"] == reverse("usager:dossier_submitted", args=[draft.pk])
    draft.refresh_from_db()
    payment.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED and draft.number
    assert (payment.status, payment.result_code, payment.amount_cents) == (PaymentStatus.PAID, "P", 1250)
    quittance = payment.quittance
    assert quittance.kind == ActKind.QUITTANCE and quittance.status == ActStatus.ISSUED
    assert quittance.facts["montant"] == "12,50\u00a0€" and quittance.facts["recette"].startswith("7068")
    page = applicant_client.get(reverse("usager:dossier_detail", args=[draft.pk])).content.decode()
    assert "Quittance de paiement" in page and "Frais de 12,50\u00a0€ payés" in page
    # Paid, the dossier is never asked to pay again.
    again = applicant_client.post(reverse("paiements:dossier", args=[draft.pk]))
    assert again["Location"] == reverse("usager:dossier_detail", args=[draft.pk])
    assert Payment.objects.filter(dossier=draft).count() == 1


def test_refused_nothing_is_filed_and_the_applicant_may_try_again(applicant_client, draft, payfip):
    payment = _pay(applicant_client, draft)
    finished = payfip.person_finishes(payment.operation_id, REFUSED_CARD)
    response = person_comes_back(applicant_client, finished)
    assert response["Location"] == reverse("paiements:dossier", args=[draft.pk])
    page = applicant_client.get(response["Location"]).content.decode()
    assert "refusé par votre banque" in page and "Payer 12,50\u00a0€ en ligne" in page
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.REFUSED
    # Trying again opens a second operation; paid by direct debit, the dossier is filed.
    response = applicant_client.post(reverse("paiements:dossier", args=[draft.pk]))
    retry = Payment.objects.filter(dossier=draft).exclude(pk=payment.pk).get()
    assert response["Location"] == retry.redirect_url
    payfip_notifies(applicant_client, payfip.person_finishes(retry.operation_id, PAID_DEBIT))
    draft.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED


def test_cancelled_nothing_is_filed(applicant_client, draft, payfip):
    payment = _pay(applicant_client, draft)
    response = person_comes_back(applicant_client, payfip.person_finishes(payment.operation_id, CANCELLED))
    page = applicant_client.get(response["Location"]).content.decode()
    assert "Vous avez abandonné le paiement" in page
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CANCELLED


def test_the_notification_before_the_return_records_the_payment_once(applicant_client, draft, payfip):
    payment = _pay(applicant_client, draft)
    finished = payfip.person_finishes(payment.operation_id, PAID_CARD)
    assert payfip_notifies(applicant_client, finished).status_code == 200
    assert payfip_notifies(applicant_client, finished).status_code == 200  # PayFiP may notify twice
    draft.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED
    response = person_comes_back(applicant_client, finished)
    assert response["Location"] == reverse("usager:dossier_submitted", args=[draft.pk])
    assert AuditEvent.objects.filter(action=AuditAction.PAYMENT_SETTLE).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.DOSSIER_SUBMIT).count() == 1
    assert Act.objects.filter(dossier=draft, kind=ActKind.QUITTANCE).count() == 1


def test_the_return_before_the_notification_records_the_payment_once(client, applicant_client, draft, payfip):
    payment = _pay(applicant_client, draft)
    finished = payfip.person_finishes(payment.operation_id, PAID_CARD)
    person_comes_back(applicant_client, finished)
    client.logout()  # PayFiP's call carries no session
    assert payfip_notifies(client, finished).status_code == 200
    draft.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED
    assert AuditEvent.objects.filter(action=AuditAction.PAYMENT_SETTLE).count() == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID


def test_the_applicant_who_never_comes_back_is_filed_by_the_reconciliation(applicant_client, draft, payfip):
    payment = _pay(applicant_client, draft)
    payfip.person_finishes(payment.operation_id, PAID_CARD)  # paid, the page closed; no notification
    # Too early: left to the notification and the return.
    assert payments_reconcile().settled == {}
    report = payments_reconcile(now=timezone.now() + timedelta(minutes=6))
    assert report.settled == {PaymentStatus.PAID: 1}
    draft.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED


def test_an_operation_abandoned_on_payfip_expires(applicant_client, draft, payfip):
    payment = _pay(applicant_client, draft)  # the applicant leaves PayFiP's page without a word
    assert payments_reconcile(now=timezone.now() + timedelta(minutes=30)).still_pending == 1
    report = payments_reconcile(now=timezone.now() + timedelta(hours=3))
    assert report.settled == {PaymentStatus.EXPIRED: 1}
    payfip.purge()  # the nightly purge: P1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.EXPIRED


def test_filing_without_paying_is_refused_and_an_open_operation_is_reused(applicant_client, draft, payfip):
    response = applicant_client.post(reverse("usager:dossier_summary", args=[draft.pk]))
    assert response["Location"] == reverse("paiements:dossier", args=[draft.pk])
    first = _pay(applicant_client, draft)
    # A second click, another tab: the same operation, never a second one that could be paid too.
    again = applicant_client.post(reverse("paiements:dossier", args=[draft.pk]))
    assert again["Location"] == first.redirect_url
    assert [call for call, _ in payfip.calls].count("creerPaiementSecurise") == 1


def test_an_unreachable_payfip_says_so_and_files_nothing(applicant_client, draft, payfip):
    payfip.unavailable = 5
    response = applicant_client.post(reverse("paiements:dossier", args=[draft.pk]), follow=True)
    assert "Le service de paiement ne répond pas" in response.content.decode()
    assert Payment.objects.get(dossier=draft).status == PaymentStatus.EXPIRED


def test_a_fee_charged_to_a_company_is_not_paid_online(client, db, payfip):
    definition = fee_definition()
    definition["pages"][0]["fields"].append({"id": "siret", "type": "siret", "label": "SIRET"})
    definition["fee"].update(payer="company", payer_siret_field="siret")
    dossier = DossierFactory(procedure=ProcedureFactory(draft_definition=definition), submitted=True)
    assert dossier.state == DossierState.SUBMITTED  # invoiced by the invoicing app, not held here
    client.force_login(dossier.applicant)
    assert client.get(reverse("paiements:dossier", args=[dossier.pk])).status_code == 404
    assert not payfip.calls


def test_a_draft_deleted_takes_its_unpaid_attempts_with_it(applicant_client, draft, payfip):
    payment = _pay(applicant_client, draft)
    person_comes_back(applicant_client, payfip.person_finishes(payment.operation_id, REFUSED_CARD))
    response = applicant_client.post(reverse("usager:dossier_delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not Payment.objects.filter(pk=payment.pk).exists()
