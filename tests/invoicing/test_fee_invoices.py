"""A procedure's fee charged to a company is invoiced by the follow-up chain at the fee's moment,
once per dossier and moment, and cancelled by a credit note when the dossier is refused or withdrawn
before it is paid."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import Dossier, TransitionName
from guichet.instruction.followup.chain import followup_run, followup_steps
from guichet.instruction.models import FollowUpStep
from guichet.invoicing.fee_invoices import fee_invoice_issue, fee_invoices_cancel, fee_origin
from guichet.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from guichet.procedures.fees import FeeMoment
from tests.factories import instructor_of
from tests.invoicing.fee_samples import COMPANY_ANSWERS, company_dossier, transition

pytestmark = pytest.mark.django_db
Name, Status = FollowUpStep.Name, FollowUpStep.Status


def _step(dossier, name):
    return FollowUpStep.objects.get(transition__dossier=dossier, name=name)


def test_the_chain_declares_the_invoice_at_the_fees_moment():
    after = FeeMoment.AFTER_ACCEPTANCE
    assert followup_steps(TransitionName.ACCEPT, company_fee_moment=after)[-1] == Name.ISSUE_INVOICE
    assert Name.ISSUE_INVOICE not in followup_steps(TransitionName.SUBMIT, company_fee_moment=after)
    assert followup_steps(TransitionName.SUBMIT, company_fee_moment=FeeMoment.BEFORE_FILING)[-1] == Name.ISSUE_INVOICE
    for name in (TransitionName.REFUSE, TransitionName.WITHDRAW, TransitionName.CLOSE):
        assert followup_steps(name, company_fee_moment=after)[-1] == Name.CANCEL_INVOICE
    assert Name.ISSUE_INVOICE not in followup_steps(TransitionName.ACCEPT)


def test_accepted_the_company_is_invoiced_once_with_the_fee_lines(django_capture_on_commit_callbacks):
    dossier = company_dossier(django_capture_on_commit_callbacks, state="accepted")
    invoice = Invoice.objects.get(dossier=dossier)
    assert (invoice.buyer_name, invoice.buyer_siret) == ("Ateliers Dupont SAS", "73282932000074")
    assert (invoice.buyer_street, invoice.buyer_postcode, invoice.buyer_city) == ("12 rue des Forges", "69007", "Lyon")
    lines = [(line.label, line.quantity, line.net_amount) for line in invoice.lines.all()]
    assert lines == [
        ("Instruction du dossier", Decimal("1.000"), Decimal("45.00")),
        ("Contrôle sur place (m²)", Decimal("120.000"), Decimal("42.00")),
    ]
    assert invoice.total_gross == Decimal("87.00") and invoice.status == InvoiceStatus.ISSUED
    assert invoice.origin == fee_origin(dossier, FeeMoment.AFTER_ACCEPTANCE)
    step = _step(dossier, Name.ISSUE_INVOICE)
    assert step.status == Status.DONE and step.outcome == {"invoice": invoice.pk, "number": invoice.number}
    # Run again (a worker that crashed after the commit), it issues nothing more.
    FollowUpStep.objects.filter(pk=step.pk).update(status=Status.PENDING)
    followup_run(transition_id=step.transition_id)
    assert Invoice.objects.filter(dossier=dossier).count() == 1
    assert fee_invoice_issue(dossier=dossier, moment=FeeMoment.AFTER_ACCEPTANCE) == invoice
    # Nothing is invoiced at filing for a fee due after acceptance.
    assert not FollowUpStep.objects.filter(transition__transition=TransitionName.SUBMIT, name=Name.ISSUE_INVOICE)


def test_the_database_refuses_a_second_live_invoice_for_one_origin(django_capture_on_commit_callbacks):
    dossier = company_dossier(django_capture_on_commit_callbacks, state="accepted")
    invoice = Invoice.objects.get(dossier=dossier)
    copy = Invoice.objects.get(pk=invoice.pk)
    copy.pk, copy.number = None, "FAC-2099-000001"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_a_fee_due_before_filing_is_invoiced_at_filing(django_capture_on_commit_callbacks):
    dossier = company_dossier(django_capture_on_commit_callbacks, state="submitted", moment="before_filing")
    assert dossier.state == "submitted"  # the company pays later, through Chorus Pro: filing is not held
    invoice = Invoice.objects.get(dossier=dossier)
    assert invoice.origin == fee_origin(dossier, FeeMoment.BEFORE_FILING)
    assert _step(dossier, Name.ISSUE_INVOICE).transition.transition == TransitionName.SUBMIT


@pytest.mark.parametrize("name", [TransitionName.REFUSE, TransitionName.WITHDRAW])
def test_refused_or_withdrawn_unpaid_the_invoice_is_cancelled_by_a_credit_note(
    django_capture_on_commit_callbacks, name
):
    dossier = company_dossier(django_capture_on_commit_callbacks, moment="before_filing")
    invoice = Invoice.objects.get(dossier=dossier)
    transition(django_capture_on_commit_callbacks, dossier, name)
    invoice.refresh_from_db()
    credit_note = invoice.credit_note
    assert invoice.status == InvoiceStatus.CANCELLED
    assert credit_note.kind == InvoiceKind.CREDIT_NOTE and credit_note.total_gross == invoice.total_gross
    step = _step(dossier, Name.CANCEL_INVOICE)
    assert step.status == Status.DONE and step.outcome == {"credit_notes": [credit_note.number]}
    # Again: no second credit note.
    assert fee_invoices_cancel(dossier=dossier) == []
    assert Invoice.objects.filter(dossier=dossier, kind=InvoiceKind.CREDIT_NOTE).count() == 1


def test_a_paid_invoice_is_not_cancelled(django_capture_on_commit_callbacks):
    dossier = company_dossier(django_capture_on_commit_callbacks, moment="before_filing")
    Invoice.objects.filter(dossier=dossier).update(status=InvoiceStatus.PAID)
    transition(django_capture_on_commit_callbacks, dossier, TransitionName.REFUSE)
    assert not Invoice.objects.filter(dossier=dossier, kind=InvoiceKind.CREDIT_NOTE).exists()
    assert _step(dossier, Name.CANCEL_INVOICE).outcome == {"credit_notes": []}


def test_a_deposit_under_way_makes_the_credit_note_wait(django_capture_on_commit_callbacks):
    dossier = company_dossier(django_capture_on_commit_callbacks, moment="before_filing")
    Invoice.objects.filter(dossier=dossier).update(deposit_started_at="2026-01-01T00:00:00Z")
    transition(django_capture_on_commit_callbacks, dossier, TransitionName.WITHDRAW)
    step = _step(dossier, Name.CANCEL_INVOICE)
    assert step.status == Status.PENDING and step.attempts == 1 and "en cours" in step.last_error
    assert not Invoice.objects.filter(dossier=dossier, kind=InvoiceKind.CREDIT_NOTE).exists()


def test_a_company_without_a_name_gives_the_instructor_a_clear_reason(django_capture_on_commit_callbacks):
    answers = {key: value for key, value in COMPANY_ANSWERS.items() if key != "entreprise"}
    dossier = company_dossier(django_capture_on_commit_callbacks, state="accepted", answers=answers)
    step = _step(dossier, Name.ISSUE_INVOICE)
    assert step.status == Status.FAILED
    assert step.last_error == (
        "Le nom de l’entreprise à facturer manque dans les réponses "
        "(aucun champ « Organisme ou entreprise » renseigné)."
    )
    assert not Invoice.objects.filter(dossier=dossier).exists()


def test_the_named_fields_give_the_customer(django_capture_on_commit_callbacks):
    answers = {**COMPANY_ANSWERS, "entreprise": "", "objet": "Menuiseries Martin"}
    dossier = company_dossier(
        django_capture_on_commit_callbacks, state="accepted", answers=answers, payer_name_field="objet"
    )
    assert Invoice.objects.get(dossier=dossier).buyer_name == "Menuiseries Martin"


def test_zero_quantity_lines_are_dropped_and_nothing_due_issues_nothing(django_capture_on_commit_callbacks):
    dossier = company_dossier(
        django_capture_on_commit_callbacks, state="accepted", answers={**COMPANY_ANSWERS, "surface": "0"}
    )
    assert [line.label for line in Invoice.objects.get(dossier=dossier).lines.all()] == ["Instruction du dossier"]
    free = company_dossier(
        django_capture_on_commit_callbacks,
        state="accepted",
        lines=[{"label": "Contrôle (m²)", "unit_price": "1", "quantity": "surface"}],
        answers={**COMPANY_ANSWERS, "surface": "0"},
    )
    assert not Invoice.objects.filter(dossier=free).exists()
    assert _step(free, Name.ISSUE_INVOICE).outcome == {"invoice": None}


def test_an_acceptance_reopened_before_its_step_runs_is_not_invoiced(django_capture_on_commit_callbacks):
    dossier = company_dossier(django_capture_on_commit_callbacks)
    transition(django_capture_on_commit_callbacks, dossier, TransitionName.ACCEPT)
    Invoice.objects.filter(dossier=dossier).delete()
    transition(django_capture_on_commit_callbacks, dossier, TransitionName.REOPEN)
    assert fee_invoice_issue(dossier=dossier, moment=FeeMoment.AFTER_ACCEPTANCE) is None


def test_the_instructor_sees_why_the_company_was_not_invoiced(client, django_capture_on_commit_callbacks):
    answers = {**COMPANY_ANSWERS, "siret": ""}
    dossier = company_dossier(django_capture_on_commit_callbacks, state="accepted", answers=answers)
    client.force_login(instructor_of(dossier.procedure))
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "La facture des frais à l’entreprise n’a pas pu être émise ou annulée" in page
    assert "Le SIRET de l’entreprise à facturer n’est pas renseigné (champ « SIRET de l’entreprise »)." in page


def test_once_the_answers_are_corrected_the_instructor_has_the_invoice_tried_again(
    client, django_capture_on_commit_callbacks
):
    answers = {**COMPANY_ANSWERS, "siret": ""}
    dossier = company_dossier(django_capture_on_commit_callbacks, state="accepted", answers=answers)
    assert _step(dossier, Name.ISSUE_INVOICE).status == Status.FAILED
    Dossier.objects.filter(pk=dossier.pk).update(answers=COMPANY_ANSWERS)  # as a correction would
    client.force_login(instructor_of(dossier.procedure))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("agent:dossier_fee_invoice_retry", args=[dossier.pk]), follow=True)
    assert "La facturation des frais à l’entreprise va être essayée à nouveau." in response.content.decode()
    invoice = Invoice.objects.get(dossier=dossier)
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert f"Facture n° {invoice.number}" in page and "n’a pas pu être émise" not in page
    assert _step(dossier, Name.ISSUE_INVOICE).status == Status.DONE
    assert AuditEvent.objects.get(action=AuditAction.FOLLOWUP_RETRY).details == {"steps": [Name.ISSUE_INVOICE]}


def test_an_invoice_issued_by_the_acceptance_names_its_instructor_in_the_audit_and_on_the_panel(
    client, django_capture_on_commit_callbacks
):
    dossier = company_dossier(django_capture_on_commit_callbacks, state="in_instruction")
    log = transition(django_capture_on_commit_callbacks, dossier, TransitionName.ACCEPT)
    instructor = log.actor
    invoice = Invoice.objects.get(dossier=dossier)
    name = instructor.get_full_name() or instructor.email
    expected = f"Automatique, à l’acceptation du dossier du {timezone.localtime(log.at):%d/%m/%Y} par {name}"
    assert (invoice.issued_by, invoice.issued_for) == (instructor, expected)
    event = AuditEvent.objects.get(action=AuditAction.INVOICE_ISSUE)
    assert event.actor == instructor
    assert (event.details["issued_for"], event.details["transition"]) == (expected, log.pk)
    client.force_login(instructor)
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert f"{expected}." in page


def test_an_invoice_issued_at_filing_is_automatic_and_names_no_person(django_capture_on_commit_callbacks):
    dossier = company_dossier(django_capture_on_commit_callbacks, state="submitted", moment="before_filing")
    invoice = Invoice.objects.get(dossier=dossier)
    assert invoice.issued_by is None
    assert invoice.issued_for.startswith("Automatique, au dépôt du dossier du ")
    assert invoice.issued_for.endswith(" par l’usager")
    event = AuditEvent.objects.get(action=AuditAction.INVOICE_ISSUE)
    assert event.actor is None and event.details["issued_for"] == invoice.issued_for
