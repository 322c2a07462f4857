"""Invoices on the dossier's pages: the instructors and the company see each one and where Chorus
Pro is with it (with the reasons of a rejection), download the sealed Factur-X PDF, and an
instructor cancels one with a credit note; nobody else reaches them."""

import pytest
from django.urls import reverse

from guichet.core.models import AuditAction, AuditEvent
from guichet.invoicing.models import Invoice, InvoiceStatus
from tests.factories import DossierFactory, UserFactory, instructor_of
from tests.invoicing.samples import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier():
    return DossierFactory(accepted=True)


@pytest.fixture
def rejected(dossier):
    agent = instructor_of(dossier.procedure)
    invoice = issue(dossier, agent)
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.REJECTED,
        platform_status="REJETEE",
        rejection_reasons=["Numéro d’engagement inconnu : EJ-2026-0042"],
        next_attempt_at=None,
    )
    return invoice


def test_the_instructor_sees_the_rejection_and_cancels_the_invoice_with_a_credit_note(client, dossier, rejected):
    instructor = instructor_of(dossier.procedure)
    client.force_login(instructor)
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert f"Facture n° {rejected.number}" in page
    assert "Rejetée" in page and "Chorus Pro : Rejetée" in page
    assert "Numéro d’engagement inconnu : EJ-2026-0042" in page
    assert "300,00" in page

    download = client.get(reverse("agent:dossier_invoice", args=[dossier.pk, rejected.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == rejected.pdf.open("rb").read()

    credit_url = reverse("agent:dossier_invoice_credit", args=[dossier.pk, rejected.pk])
    assert f'href="{credit_url}"' in page  # a page that says what it does, not a button that does it
    confirmation = client.get(credit_url).content.decode()
    assert f"Annuler la facture n° {rejected.number}" in confirmation and "300,00" in confirmation
    assert "Un avoir ne peut pas être retiré" in confirmation
    assert not Invoice.objects.filter(credited_invoice=rejected).exists()
    response = client.post(credit_url, follow=True)
    page = response.content.decode()
    credit_note = Invoice.objects.get(credited_invoice=rejected)
    assert f"est annulée par l’avoir n° {credit_note.number}" in page
    assert f"Avoir n° {credit_note.number}" in page and "Annulée par un avoir" in page
    assert credit_note.issued_by == instructor
    again = client.get(credit_url, follow=True).content.decode()
    assert f"La facture n° {rejected.number} ne peut pas être annulée." in again


def test_the_company_sees_its_invoice_and_its_status(client, dossier, rejected):
    client.force_login(dossier.applicant)
    page = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert f"Facture n° {rejected.number}" in page and "Numéro d’engagement inconnu" in page
    assert "Annuler par un avoir" not in page
    download = client.get(reverse("usager:dossier_invoice", args=[dossier.pk, rejected.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_nobody_else_reaches_the_invoice(client, dossier, rejected):
    other = UserFactory()
    client.force_login(other)
    assert client.get(reverse("usager:dossier_invoice", args=[dossier.pk, rejected.pk])).status_code == 404
    other_instructor = instructor_of(dossier.procedure)
    type(dossier).objects.filter(pk=dossier.pk).update(group=None)  # out of the other instructor's groups
    client.force_login(other_instructor)
    assert client.get(reverse("agent:dossier_invoice", args=[dossier.pk, rejected.pk])).status_code == 404
    credit = client.post(reverse("agent:dossier_invoice_credit", args=[dossier.pk, rejected.pk]))
    assert credit.status_code == 404
    assert not Invoice.objects.filter(credited_invoice=rejected).exists()


def test_the_accountant_export_lists_invoices_and_credit_notes_to_the_cent(client, dossier, rejected):
    instructor = instructor_of(dossier.procedure)
    client.force_login(instructor)
    client.post(reverse("agent:dossier_invoice_credit", args=[dossier.pk, rejected.pk]))
    response = client.get(reverse("agent:invoices_export", args=[dossier.procedure.slug]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, invoice_row, credit_row = text.strip().split("\r\n")
    assert header.startswith("Numéro;Type;Date d’émission")
    assert (
        invoice_row.startswith(f"{rejected.number};Facture;")
        and ";300,00;0,00;300,00;Annulée par un avoir;" in invoice_row
    )
    assert credit_row.startswith("AV-") and ";-300,00;" in credit_row and credit_row.endswith(rejected.number)
    assert AuditEvent.objects.filter(action=AuditAction.INVOICES_EXPORT, actor=instructor).exists()
    client.force_login(UserFactory())
    assert client.get(reverse("agent:invoices_export", args=[dossier.procedure.slug])).status_code == 403


def test_a_deposit_whose_answer_was_lost_is_started_again_by_the_instructor(client, dossier):
    instructor = instructor_of(dossier.procedure)
    invoice = issue(dossier, instructor)
    lost = "Le dépôt a peut-être été reçu par Chorus Pro sans que sa réponse nous parvienne."
    Invoice.objects.filter(pk=invoice.pk).update(
        deposit_started_at=invoice.created_at, next_attempt_at=None, last_error=lost
    )
    client.force_login(instructor)
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert lost in page and "relancer le dépôt" in page
    assert "Annuler par un avoir" not in page  # not while Chorus Pro may hold it
    response = client.post(reverse("agent:dossier_invoice_retry", args=[dossier.pk, invoice.pk]), follow=True)
    assert f"Le dépôt de la facture n° {invoice.number} est relancé." in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.deposit_started_at is None and invoice.next_attempt_at is not None
    again = client.post(reverse("agent:dossier_invoice_retry", args=[dossier.pk, invoice.pk]), follow=True)
    assert "n’attend pas de vérification" in again.content.decode()
