"""Invoices deposited on a stand-in Chorus Pro by the worker, and followed: to their payment, to
a rejection corrected by a credit note and a new invoice, and never deposited twice."""

import pytest
from django.utils import timezone

from guichet.core.models import AuditAction, AuditEvent
from guichet.invoicing.deposits import invoices_follow
from guichet.invoicing.models import InvoiceKind, InvoiceStatus
from guichet.invoicing.services import invoice_credit, invoice_deposit_retry
from tests.connectors.chorus_pro.stand_in import CUT, GARBLED, GATEWAY_TIMEOUT, NORMAL, SLOW, TOO_MANY, UNAVAILABLE
from tests.invoicing.samples import COMPANY, issue, rounds

pytestmark = pytest.mark.django_db


def test_an_invoice_is_deposited_integrated_and_followed_until_paid(chorus, dossier, agent):
    invoice = issue(dossier, agent)
    assert rounds()[0].deposited == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DEPOSITED
    assert invoice.flow_number in chorus.flows
    rounds(2)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.platform_status, invoice.platform_status_label) == (
        InvoiceStatus.AVAILABLE,
        "MISE_A_DISPOSITION",
        "Mise à disposition",
    )
    assert invoice.platform_invoice_id
    chorus.invoice_status_set(invoice.number, "MISE_EN_PAIEMENT")
    assert rounds()[0].paid == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.next_attempt_at is None
    assert chorus.deposits == [invoice.number]
    actions = list(AuditEvent.objects.filter(action__startswith="invoice.").values_list("action", flat=True))
    assert actions[:2] == [AuditAction.INVOICE_ISSUE, AuditAction.INVOICE_DEPOSIT]
    assert actions.count(AuditAction.INVOICE_STATUS) == 3  # integrated, made available, paid


def test_a_rejected_invoice_is_corrected_by_a_credit_note_and_a_new_invoice(chorus, dossier, agent):
    invoice = issue(dossier, agent)
    rounds(3)
    chorus.invoice_status_set(invoice.number, "REJETEE", "Numéro d’engagement inconnu : EJ-2026-0042")
    rounds()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REJECTED
    assert invoice.rejection_reasons == ["Numéro d’engagement inconnu : EJ-2026-0042"]

    credit_note = invoice_credit(invoice=invoice, actor=agent)
    assert credit_note.kind == InvoiceKind.CREDIT_NOTE
    assert credit_note.number.startswith("AV-") and credit_note.total_gross == invoice.total_gross
    assert "<ram:TypeCode>381</ram:TypeCode>" in credit_note.facturx_xml
    assert f"<ram:IssuerAssignedID>{invoice.number}</ram:IssuerAssignedID>" in credit_note.facturx_xml
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    corrected = issue(dossier, agent)
    assert [corrected.number[-6:], credit_note.number[-6:]] == ["000003", "000002"]

    rounds(3)
    credit_note.refresh_from_db()
    corrected.refresh_from_db()
    assert credit_note.status == InvoiceStatus.AVAILABLE and credit_note.next_attempt_at is None
    chorus.invoice_status_set(corrected.number, "MISE_EN_PAIEMENT")
    rounds()
    corrected.refresh_from_db()
    assert corrected.status == InvoiceStatus.PAID
    assert sorted(chorus.deposits) == sorted([invoice.number, credit_note.number, corrected.number])


def test_a_deposit_chorus_pro_rejects_shows_its_reasons(chorus, dossier, agent):
    chorus.known_sirets = {"11111111111111"}
    invoice = issue(dossier, agent)
    rounds(2)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REJECTED
    assert invoice.platform_status_label == "Dépôt rejeté"
    assert invoice.rejection_reasons == [
        f"Le destinataire {COMPANY.siret} n’est pas une structure active de l’annuaire Chorus Pro."
    ]


def test_the_credit_note_of_an_invoice_chorus_pro_never_received_is_kept_not_deposited(chorus, dossier, agent):
    chorus.known_sirets = {"11111111111111"}
    invoice = issue(dossier, agent)
    rounds(2)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REJECTED and not invoice.platform_invoice_id

    credit_note = invoice_credit(invoice=invoice, actor=agent)
    assert (credit_note.status, credit_note.next_attempt_at) == (InvoiceStatus.KEPT, None)
    rounds(3)
    credit_note.refresh_from_db()
    assert credit_note.status == InvoiceStatus.KEPT
    assert chorus.deposits == [invoice.number]  # the credit note never went to Chorus Pro


def test_an_unavailable_platform_is_tried_again_later_without_a_second_deposit(chorus, dossier, agent):
    invoice = issue(dossier, agent)
    chorus.script = [UNAVAILABLE] * 3
    report = invoices_follow(now=timezone.now())
    assert "indisponible" in report.errors[0]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.deposit_started_at, invoice.attempts) == (InvoiceStatus.ISSUED, None, 1)
    assert invoice.next_attempt_at > timezone.now()
    assert invoices_follow(now=timezone.now()).deposited == 0  # not yet due
    rounds()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DEPOSITED
    assert chorus.deposits == [invoice.number]


def test_a_deposit_whose_answer_was_lost_waits_for_a_person(chorus, dossier, agent, settings):
    settings.GUICHET_CHORUS_PRO_TIMEOUT = 0.3
    invoice = issue(dossier, agent)
    chorus.script = [NORMAL, SLOW]
    assert "peut-être été prise en compte" in rounds()[0].errors[0]
    invoice.refresh_from_db()
    assert invoice.waits_for_a_person
    assert rounds()[0].deposited == 0  # never by itself
    assert chorus.deposits == [invoice.number]
    with pytest.raises(Exception, match="en cours"):
        invoice_credit(invoice=invoice, actor=agent)

    invoice_deposit_retry(invoice=invoice, actor=agent)  # checked in Chorus Pro: it is not there
    rounds()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DEPOSITED
    assert AuditEvent.objects.filter(action=AuditAction.INVOICE_DEPOSIT_RETRY).count() == 1


def test_a_worker_that_dies_mid_deposit_never_makes_a_second_one(chorus, dossier, agent):
    invoice = issue(dossier, agent)
    # As left by a worker killed after it marked the deposit started, before it recorded the answer.
    type(invoice).objects.filter(pk=invoice.pk).update(deposit_started_at=timezone.now())
    rounds()
    invoice.refresh_from_db()
    assert invoice.waits_for_a_person
    assert chorus.deposits == []


@pytest.mark.parametrize("lost", [GATEWAY_TIMEOUT, CUT, GARBLED])
def test_a_deposit_received_whose_answer_is_lost_on_the_way_is_never_made_twice(chorus, dossier, agent, lost):
    """PISTE's gateway answers 504, or the connection is cut, or a proxy answers a page instead of
    Chorus Pro's JSON, after Chorus Pro took the file: it is not sent again, a person checks."""
    invoice = issue(dossier, agent)
    chorus.script = [NORMAL, lost]
    assert "peut-être été prise en compte" in rounds()[0].errors[0]
    rounds()
    invoice.refresh_from_db()
    assert invoice.waits_for_a_person and invoice.status == InvoiceStatus.ISSUED
    assert chorus.deposits == [invoice.number]


def test_a_deposit_over_pistes_quota_is_made_again_not_rejected(chorus, dossier, agent):
    invoice = issue(dossier, agent)
    chorus.script = [NORMAL, TOO_MANY]
    assert rounds()[0].deposited == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DEPOSITED
    assert chorus.deposits == [invoice.number]
