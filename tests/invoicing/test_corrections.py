"""No dead end after Chorus Pro or the company sends something back (decision 0054): a credit note
whose deposit was rejected goes again once the cause is fixed; a rejected credit note is replaced by
a new one with the recipient corrected, the numbers without gap and never two live credit notes for
one invoice; an invoice sent back « à recycler » or « suspendue » alerts the instructors once, and
the recipient set on Chorus Pro's portal is recorded."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from guichet.core.models import AuditAction, AuditEvent
from guichet.instruction.models import InstructorNotification
from guichet.invoicing.amounts import InvoiceInvalid
from guichet.invoicing.corrections import credit_note_redeposit, credit_note_replace, invoice_reroute_record
from guichet.invoicing.models import Invoice, InvoiceStatus
from guichet.invoicing.services import invoice_credit
from tests.factories import instructor_of
from tests.invoicing.samples import COMPANY, issue, rounds

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancelled(chorus, dossier, agent):
    """An invoice the company received then rejected, cancelled by a credit note to deposit."""
    invoice = issue(dossier, agent)
    rounds(3)
    chorus.invoice_status_set(invoice.number, "REJETEE", "Prestation non commandée")
    rounds()
    return invoice, invoice_credit(invoice=invoice, actor=agent)


def test_a_credit_note_whose_deposit_was_rejected_is_deposited_again_once_the_cause_is_fixed(chorus, cancelled, agent):
    invoice, credit_note = cancelled
    chorus.known_sirets = {"11111111111111"}  # the company's structure is no longer active
    rounds(2)
    credit_note.refresh_from_db()
    assert credit_note.status == InvoiceStatus.REJECTED and credit_note.can_be_redeposited
    reasons = [f"Le destinataire {COMPANY.siret} n’est pas une structure active de l’annuaire Chorus Pro."]
    assert credit_note.rejection_reasons == reasons

    chorus.known_sirets = {"11111111111111", COMPANY.siret}  # the company reactivated it
    credit_note_redeposit(credit_note=credit_note, actor=agent)
    rounds(3)
    credit_note.refresh_from_db()
    assert (credit_note.status, credit_note.platform_status) == (InvoiceStatus.AVAILABLE, "MISE_A_DISPOSITION")
    assert credit_note.rejection_reasons == []
    # The same sealed file went twice (Chorus Pro had made no document of the first), nothing else.
    assert chorus.deposits == [invoice.number, credit_note.number, credit_note.number]
    event = AuditEvent.objects.get(action=AuditAction.INVOICE_REDEPOSIT)
    assert event.actor == agent and event.details["rejection_reasons"] == reasons


def test_a_credit_note_the_company_rejected_is_not_deposited_again_but_replaced(chorus, cancelled, agent):
    invoice, credit_note = cancelled
    rounds(3)
    chorus.invoice_status_set(credit_note.number, "REJETEE", "Code service inconnu : SERVICE-COMPTA")
    # A credit note is done once available: a person looks at it again (the company's answer).
    Invoice.objects.filter(pk=credit_note.pk).update(next_attempt_at=credit_note.created_at)
    rounds()
    credit_note.refresh_from_db()
    assert credit_note.status == InvoiceStatus.REJECTED and credit_note.platform_invoice_id
    assert not credit_note.can_be_redeposited and credit_note.can_be_replaced
    with pytest.raises(InvoiceInvalid, match="Remplacez-le par un nouvel avoir"):
        credit_note_redeposit(credit_note=credit_note, actor=agent)

    replacement = credit_note_replace(
        credit_note=credit_note, actor=agent, service_code=" SERVICE-FINANCES ", order_number="EJ-2026-0099"
    )
    credit_note.refresh_from_db()
    invoice.refresh_from_db()
    assert credit_note.status == InvoiceStatus.REPLACED and credit_note.replaced_by == replacement
    assert (replacement.credited_invoice, replacement.replaces) == (invoice, credit_note)
    assert (replacement.buyer_reference, replacement.buyer_order) == ("SERVICE-FINANCES", "EJ-2026-0099")
    assert "<ram:BuyerReference>SERVICE-FINANCES</ram:BuyerReference>" in replacement.facturx_xml
    assert replacement.total_gross == credit_note.total_gross == invoice.total_gross
    assert [n[-6:] for n in (invoice.number, credit_note.number, replacement.number)] == ["000001", "000002", "000003"]
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.credit_note == replacement
    rounds(3)
    replacement.refresh_from_db()
    assert replacement.status == InvoiceStatus.AVAILABLE
    assert chorus.deposits == [invoice.number, credit_note.number, replacement.number]
    event = AuditEvent.objects.get(action=AuditAction.INVOICE_CREDIT_REPLACE)
    assert event.actor == agent
    assert event.details["replaced_by"] == replacement.number
    assert event.details["service_code"] == ["SERVICE-COMPTA", "SERVICE-FINANCES"]
    assert event.details["rejection_reasons"] == ["Code service inconnu : SERVICE-COMPTA"]

    with pytest.raises(InvoiceInvalid, match="n’est pas rejeté"):
        credit_note_replace(credit_note=credit_note, actor=agent, service_code="", order_number="")
    with pytest.raises(InvoiceInvalid, match="n’est pas rejeté"):
        credit_note_replace(credit_note=replacement, actor=agent, service_code="", order_number="")


def test_the_database_refuses_two_live_credit_notes_for_one_invoice(chorus, cancelled, agent):
    invoice, credit_note = cancelled
    second = Invoice.objects.get(pk=credit_note.pk)
    second.pk, second.number, second.status = None, "AV-2026-999999", InvoiceStatus.ISSUED
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    # A replaced one no longer counts.
    Invoice.objects.filter(pk=credit_note.pk).update(status=InvoiceStatus.REPLACED)
    second.save()
    assert Invoice.objects.filter(credited_invoice=invoice).count() == 2


def test_a_replacement_that_fails_leaves_the_credit_note_rejected_and_no_number_used(chorus, cancelled, dossier, agent):
    invoice, credit_note = cancelled
    Invoice.objects.filter(pk=credit_note.pk).update(status=InvoiceStatus.REJECTED, next_attempt_at=None)
    later = issue(dossier, agent, issue_date=credit_note.issue_date + timedelta(days=1))
    with pytest.raises(InvoiceInvalid, match="précède"):
        credit_note_replace(credit_note=credit_note, actor=agent, service_code="X", order_number="")
    credit_note.refresh_from_db()
    assert credit_note.status == InvoiceStatus.REJECTED
    assert not Invoice.objects.filter(replaces=credit_note).exists()
    replacement = credit_note_replace(
        credit_note=credit_note, actor=agent, service_code="X", order_number="", issue_date=later.issue_date
    )
    assert [later.number[-6:], replacement.number[-6:]] == ["000003", "000004"]


@pytest.mark.parametrize(
    ("code", "comment", "words"),
    [
        ("A_RECYCLER", "Service destinataire inconnu", "renvoie la facture"),
        ("SUSPENDUE", "Joindre le bon de commande signé", "suspend la facture"),
    ],
)
def test_an_invoice_sent_back_or_held_alerts_the_instructors_once(
    chorus, dossier, agent, code, comment, words, django_capture_on_commit_callbacks
):
    instructor = instructor_of(dossier.procedure)
    invoice = issue(dossier, agent)
    rounds(3)
    chorus.invoice_status_set(invoice.number, code, comment)
    with django_capture_on_commit_callbacks(execute=True):
        rounds(3)  # the status read three times: one alert
    invoice.refresh_from_db()
    assert (invoice.status, invoice.platform_status, invoice.platform_comment) == (
        InvoiceStatus.AVAILABLE,
        code,
        comment,
    )
    assert invoice.next_attempt_at is not None  # still followed
    told_in_app = InstructorNotification.objects.count()  # each instructor of the group, once
    notification = InstructorNotification.objects.get(user=instructor)
    assert words in notification.text and invoice.number in notification.text and comment in notification.text
    told = [message for message in mail.outbox if instructor.email in message.to]
    assert len(told) == 1 and invoice.number in told[0].body
    assert AuditEvent.objects.filter(action=AuditAction.INVOICE_ALERT).count() == 1
    assert "Chorus Pro" in invoice.alert and "Recycler" in invoice.alert if code == "A_RECYCLER" else invoice.alert

    # The buyer takes it back: the alert is over, and nobody is told of it again.
    chorus.invoice_status_set(invoice.number, "MISE_A_DISPOSITION")
    rounds()
    invoice.refresh_from_db()
    assert (invoice.alert, invoice.platform_comment, invoice.alerted_status) == ("", "", "")
    assert InstructorNotification.objects.count() == told_in_app


def test_the_recipient_set_on_chorus_pros_portal_is_recorded_and_a_new_send_back_alerts_again(
    chorus, dossier, agent, django_capture_on_commit_callbacks
):
    instructor_of(dossier.procedure)
    invoice = issue(dossier, agent)
    with pytest.raises(InvoiceInvalid, match="n’est pas à recycler"):
        invoice_reroute_record(invoice=invoice, actor=agent, service_code="S", order_number="")
    rounds(3)
    chorus.invoice_status_set(invoice.number, "A_RECYCLER", "Service destinataire inconnu")
    rounds()
    invoice.refresh_from_db()
    with pytest.raises(InvoiceInvalid, match="Indiquez le code service"):
        invoice_reroute_record(invoice=invoice, actor=agent, service_code=" ", order_number="")
    invoice = invoice_reroute_record(invoice=invoice, actor=agent, service_code="SERVICE-FINANCES", order_number="")
    assert (invoice.rerouted_reference, invoice.alerted_status) == ("SERVICE-FINANCES", "A_RECYCLER")
    assert invoice.buyer_reference == COMPANY.service_code  # the sealed document is not changed
    event = AuditEvent.objects.get(action=AuditAction.INVOICE_REROUTE)
    assert event.actor == agent and event.details["service_code"] == ["SERVICE-COMPTA", "SERVICE-FINANCES"]

    rounds()  # read again at once: Chorus Pro still says « à recycler », nobody is told again
    assert AuditEvent.objects.filter(action=AuditAction.INVOICE_ALERT).count() == 1
    chorus.invoice_status_set(invoice.number, "MISE_A_DISPOSITION")
    rounds()
    chorus.invoice_status_set(invoice.number, "A_RECYCLER", "Engagement clos")
    rounds()
    assert AuditEvent.objects.filter(action=AuditAction.INVOICE_ALERT).count() == 2
