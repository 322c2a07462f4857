"""The demo invoices companies: the authorised works on historic monuments give rise to invoices of
an archaeological diagnostic, two of them paid through the in-process platform, the last one waiting
for the worker, which deposits it (GUICHET_INVOICING_DUMMY, as `make run` configures it)."""

import pytest
from django.urls import reverse

from guichet.demo.invoices import PROCEDURE
from guichet.invoicing.deposits import invoices_follow
from guichet.invoicing.facturx import facturx_xml_check
from guichet.invoicing.models import Invoice, InvoiceStatus

pytestmark = pytest.mark.slow


def test_the_demo_has_a_procedure_that_invoices_companies(demo, client, settings):
    invoices = Invoice.objects.filter(dossier__procedure__slug=PROCEDURE).order_by("pk")
    assert [invoice.status for invoice in invoices] == [InvoiceStatus.PAID, InvoiceStatus.PAID, InvoiceStatus.ISSUED]
    for invoice in invoices:
        facturx_xml_check(invoice.facturx_xml.encode())

    settings.GUICHET_INVOICING_DUMMY = True
    assert invoices_follow().deposited == 1
    waiting = invoices.last()
    waiting.refresh_from_db()
    assert waiting.status == InvoiceStatus.DEPOSITED and waiting.flow_number.startswith("DEMO-")

    paid = invoices.first()
    client.force_login(paid.issued_by)
    page = client.get(reverse("agent:dossier_detail", args=[paid.dossier_id])).content.decode()
    assert f"Facture n° {paid.number}" in page and "Payée" in page
