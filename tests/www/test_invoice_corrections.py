"""On the dossier's page, a rejected credit note is no dead end: the instructor reads why, deposits
it again or replaces it by a new one with the recipient corrected; an invoice the company sends back
or holds on Chorus Pro is shown prominently with what to do, and its recycling recorded. The company
sees none of these buttons (decision 0054)."""

import pytest
from django.urls import reverse

from guichet.core.models import AuditAction, AuditEvent
from guichet.invoicing.models import Invoice, InvoiceStatus
from guichet.invoicing.services import invoice_credit
from guichet.procedures.models import InstructorGroup, InstructorMembership
from tests.factories import DossierFactory, UserFactory, instructor_of
from tests.invoicing.samples import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier():
    return DossierFactory(accepted=True)


@pytest.fixture
def instructor(dossier):
    return instructor_of(dossier.procedure)


def rejected_credit_note(dossier, instructor, *, platform_invoice_id: str):
    invoice = issue(dossier, instructor)
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.REJECTED, platform_invoice_id="1000001", platform_status="REJETEE"
    )
    credit_note = invoice_credit(invoice=invoice, actor=instructor)
    Invoice.objects.filter(pk=credit_note.pk).update(
        status=InvoiceStatus.REJECTED,
        platform_invoice_id=platform_invoice_id,
        platform_status="REJETEE" if platform_invoice_id else "IN_REJETE",
        rejection_reasons=["Code service inconnu : SERVICE-COMPTA"],
        next_attempt_at=None,
    )
    return invoice, Invoice.objects.get(pk=credit_note.pk)


def page_of(client, dossier) -> str:
    return client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()


def test_the_instructor_deposits_again_a_credit_note_whose_deposit_was_rejected(client, dossier, instructor):
    _, credit_note = rejected_credit_note(dossier, instructor, platform_invoice_id="")
    client.force_login(instructor)
    page = page_of(client, dossier)
    assert "Code service inconnu : SERVICE-COMPTA" in page
    url = reverse("agent:dossier_credit_note_redeposit", args=[dossier.pk, credit_note.pk])
    assert f'action="{url}"' in page and "déposer à nouveau cet avoir" in page
    response = client.post(url, follow=True)
    assert f"L’avoir n° {credit_note.number} va être déposé à nouveau sur Chorus Pro." in response.content.decode()
    credit_note.refresh_from_db()
    assert credit_note.status == InvoiceStatus.ISSUED and credit_note.next_attempt_at is not None
    assert AuditEvent.objects.get(action=AuditAction.INVOICE_REDEPOSIT).actor == instructor
    # Done once: asked again, it says why not.
    response = client.post(url, follow=True)
    assert "ne peut pas être déposé à nouveau" in response.content.decode()


def test_the_instructor_replaces_a_credit_note_the_company_rejected_correcting_its_recipient(
    client, dossier, instructor
):
    invoice, credit_note = rejected_credit_note(dossier, instructor, platform_invoice_id="1000002")
    client.force_login(instructor)
    page = page_of(client, dossier)
    redeposit = reverse("agent:dossier_credit_note_redeposit", args=[dossier.pk, credit_note.pk])
    assert redeposit not in page  # Chorus Pro holds it: it cannot go again
    url = reverse("agent:dossier_credit_note_replace", args=[dossier.pk, credit_note.pk])
    assert f'href="{url}"' in page
    form = client.get(url).content.decode()
    assert f"Remplacer l’avoir n° {credit_note.number}" in form
    assert "Code service inconnu : SERVICE-COMPTA" in form and 'value="SERVICE-COMPTA"' in form
    assert not Invoice.objects.filter(replaces=credit_note).exists()  # nothing done by opening it

    response = client.post(url, {"service_code": "SERVICE-FINANCES", "order_number": "EJ-2026-0099"}, follow=True)
    replacement = Invoice.objects.get(replaces=credit_note)
    page = response.content.decode()
    assert f"est remplacé par l’avoir n° {replacement.number}" in page
    assert f"Remplace l’avoir n° {credit_note.number}, rejeté." in page
    assert "Remplacé par un nouvel avoir, sans effet" in page
    assert (replacement.buyer_reference, replacement.issued_by) == ("SERVICE-FINANCES", instructor)
    assert f"Émis par {instructor}." in page and f"Émise par {instructor}." in page  # who issued each, by hand
    invoice.refresh_from_db()
    assert invoice.credit_note == replacement
    assert AuditEvent.objects.get(action=AuditAction.INVOICE_CREDIT_REPLACE).actor == instructor
    # The replaced one is replaced for good.
    again = client.get(url, follow=True).content.decode()
    assert f"Rien n’est à corriger sur l’avoir n° {credit_note.number}" in again

    # The company sees the documents, none of the buttons.
    client.force_login(dossier.applicant)
    company = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert f"Avoir n° {replacement.number}" in company and url not in company


def test_an_invoice_sent_back_shows_what_to_do_and_its_recycling_is_recorded(client, dossier, instructor):
    invoice = issue(dossier, instructor)
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.AVAILABLE,
        platform_invoice_id="1000003",
        platform_status="A_RECYCLER",
        platform_comment="Service destinataire inconnu",
        alerted_status="A_RECYCLER",
    )
    client.force_login(instructor)
    page = page_of(client, dossier)
    assert "fr-alert--warning" in page
    assert f"Facture n° {invoice.number} : à recycler sur Chorus Pro" in page
    assert "Commentaire de l’entreprise : « Service destinataire inconnu »" in page
    assert "choisissez « Recycler »" in page
    url = reverse("agent:dossier_invoice_reroute", args=[dossier.pk, invoice.pk])
    form = client.get(url).content.decode()
    assert "Guichet ne peut pas recycler une facture par l’API de Chorus Pro" in form and "1000003" in form

    response = client.post(url, {"service_code": "", "order_number": ""})
    assert "Indiquez le code service ou le numéro d’engagement" in response.content.decode()
    response = client.post(url, {"service_code": "SERVICE-FINANCES", "order_number": ""}, follow=True)
    page = response.content.decode()
    assert f"Le destinataire de la facture n° {invoice.number} est enregistré" in page
    assert "Recyclée sur Chorus Pro vers : SERVICE-FINANCES." in page
    assert AuditEvent.objects.get(action=AuditAction.INVOICE_REROUTE).actor == instructor


def test_an_invoice_held_by_the_company_says_how_to_answer(client, dossier, instructor):
    invoice = issue(dossier, instructor)
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.AVAILABLE, platform_status="SUSPENDUE", platform_comment="Joindre le devis signé"
    )
    client.force_login(instructor)
    page = page_of(client, dossier)
    assert f"Facture n° {invoice.number} : suspendue sur Chorus Pro" in page
    assert "ajoutez la pièce ou la réponse demandée" in page and "Joindre le devis signé" in page
    assert reverse("agent:dossier_invoice_reroute", args=[dossier.pk, invoice.pk]) not in page
    assert client.get(reverse("agent:dossier_invoice_reroute", args=[dossier.pk, invoice.pk])).status_code == 302


def test_the_ways_out_are_closed_to_another_groups_instructor_and_to_the_company(client, dossier, instructor):
    """An instructor of another group of the same procedure, and the dossier's applicant (the
    company), reach none of the three screens, nor change anything by posting to them."""
    _, credit_note = rejected_credit_note(dossier, instructor, platform_invoice_id="")
    invoice = issue(DossierFactory(accepted=True, procedure=dossier.procedure), instructor)
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.AVAILABLE, platform_status="A_RECYCLER")
    other_group = InstructorGroup.objects.create(procedure=dossier.procedure, name="Groupe B")
    outsider = UserFactory()
    InstructorMembership.objects.create(group=other_group, user=outsider)
    recipient = {"service_code": "SERVICE-ACHATS", "order_number": "EJ-1"}
    urls = [
        ("agent:dossier_credit_note_redeposit", dossier.pk, credit_note.pk),
        ("agent:dossier_credit_note_replace", dossier.pk, credit_note.pk),
        ("agent:dossier_invoice_reroute", invoice.dossier_id, invoice.pk),
    ]
    for person in (outsider, dossier.applicant):
        client.force_login(person)
        for name, dossier_pk, invoice_pk in urls:
            url = reverse(name, args=[dossier_pk, invoice_pk])
            assert client.post(url, recipient).status_code in (403, 404), (person, name)
            if "redeposit" not in name:
                assert client.get(url).status_code in (403, 404), (person, name)
    assert Invoice.objects.get(pk=credit_note.pk).status == InvoiceStatus.REJECTED
    assert Invoice.objects.filter(credited_invoice=credit_note.credited_invoice).count() == 1
    assert Invoice.objects.get(pk=invoice.pk).rerouted_reference == ""
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.INVOICE_REDEPOSIT, AuditAction.INVOICE_CREDIT_REPLACE, AuditAction.INVOICE_REROUTE]
    ).exists()
