"""The demonstration pays on the dummy payment service: its page plays PayFiP (pay, refused,
cancel), then notifies Guichet and sends the applicant back."""

import pytest
from django.urls import reverse

from guichet.dossiers.models import ActKind, DossierState
from guichet.payments.models import Payment, PaymentStatus


@pytest.fixture
def dummy(settings):
    settings.GUICHET_PAYFIP_NUMCLI = ""
    settings.GUICHET_PAYMENT_DUMMY = True


@pytest.mark.usefixtures("dummy")
def test_the_demo_pays_on_the_dummy_page_and_the_dossier_is_filed(applicant_client, draft):
    response = applicant_client.post(reverse("paiements:dossier", args=[draft.pk]))
    payment = Payment.objects.get(dossier=draft)
    assert payment.backend == "payment_dummy"
    page = applicant_client.get(response["Location"]).content.decode()
    assert "Service de paiement de démonstration" in page and "12,50\u00a0€" in page
    response = applicant_client.post(response["Location"], {"issue": "payer"})
    assert response["Location"].endswith(reverse("paiements:retour", args=[payment.reference]))
    response = applicant_client.get(reverse("paiements:retour", args=[payment.reference]))
    assert response["Location"] == reverse("usager:dossier_submitted", args=[draft.pk])
    draft.refresh_from_db()
    payment.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED and payment.status == PaymentStatus.PAID and payment.test
    assert draft.acts.filter(kind=ActKind.QUITTANCE).exists()


@pytest.mark.usefixtures("dummy")
def test_a_refusal_on_the_dummy_page_files_nothing(applicant_client, draft):
    response = applicant_client.post(reverse("paiements:dossier", args=[draft.pk]))
    applicant_client.post(response["Location"], {"issue": "refuser"})
    assert Payment.objects.get(dossier=draft).status == PaymentStatus.REFUSED
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT


def test_the_dummy_page_does_not_exist_outside_the_demonstration(client, db, settings):
    settings.GUICHET_PAYMENT_DUMMY = False
    assert client.get(reverse("paiements:factice", args=["abc"])).status_code == 404
