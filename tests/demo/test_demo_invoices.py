"""The demo invoices companies: the works procedure on historic monuments charges its fee to the
owner whose SIRET its representative gives, and the follow-up chain invoices each accepted dossier.
Three invoices come with the demo data (two paid through the in-process platform, the last one
waiting for the worker, which deposits it: GUICHET_INVOICING_DUMMY, as `make run` configures it);
the worker's chain invoices the other accepted dossiers, never one twice."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guichet.accounts.models import User
from guichet.demo.invoices import PROCEDURE
from guichet.demo.loader import INSTRUCTOR_CULTURE
from guichet.dossiers.models import Dossier, DossierState, TransitionName
from guichet.instruction.followup.chain import followup_run
from guichet.instruction.models import FollowUpStep
from guichet.invoicing.deposits import invoices_follow
from guichet.invoicing.facturx import facturx_xml_check
from guichet.invoicing.fee_invoices import fee_origin
from guichet.invoicing.models import Invoice, InvoiceStatus
from guichet.procedures.fees import FeeMoment

pytestmark = pytest.mark.slow


def test_the_demo_has_a_procedure_that_invoices_companies(demo, client, settings):
    invoices = Invoice.objects.filter(dossier__procedure__slug=PROCEDURE).order_by("pk")
    assert [invoice.status for invoice in invoices] == [InvoiceStatus.PAID, InvoiceStatus.PAID, InvoiceStatus.ISSUED]
    for invoice in invoices:
        facturx_xml_check(invoice.facturx_xml.encode())
        answers = invoice.dossier.answers
        assert invoice.origin == fee_origin(invoice.dossier, FeeMoment.AFTER_ACCEPTANCE)
        assert (invoice.buyer_siret, invoice.buyer_name) == (
            answers["proprietaire_siret"],
            answers["proprietaire_denomination"],
        )
        diagnostic = invoice.lines.get(position=2)
        assert diagnostic.net_amount == (Decimal(answers["cout_estime"]) * Decimal("0.004")).quantize(Decimal("0.01"))
        assert invoice.total_gross == diagnostic.net_amount + Decimal("85.00")

    settings.GUICHET_INVOICING_DUMMY = True
    assert invoices_follow().deposited == 1
    waiting = invoices.last()
    waiting.refresh_from_db()
    assert waiting.status == InvoiceStatus.DEPOSITED and waiting.flow_number.startswith("DEMO-")

    paid = invoices.first()
    client.force_login(User.objects.get(email=INSTRUCTOR_CULTURE.email))
    page = client.get(reverse("agent:dossier_detail", args=[paid.dossier_id])).content.decode()
    assert f"Facture n° {paid.number}" in page and "Payée" in page


def test_the_worker_invoices_every_accepted_dossier_once(demo):
    accepted = Dossier.objects.filter(procedure__slug=PROCEDURE, state=DossierState.ACCEPTED)
    steps = FollowUpStep.objects.filter(
        transition__dossier__in=accepted,
        transition__transition=TransitionName.ACCEPT,
        name=FollowUpStep.Name.ISSUE_INVOICE,
    )
    assert steps.count() == accepted.count() > 3
    for transition_id in steps.values_list("transition_id", flat=True):
        followup_run(transition_id=transition_id)
    assert set(steps.values_list("status", flat=True)) == {FollowUpStep.Status.DONE}
    invoiced = Invoice.objects.filter(dossier__in=accepted)
    assert sorted(invoiced.values_list("dossier_id", flat=True)) == sorted(accepted.values_list("pk", flat=True))
