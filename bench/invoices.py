"""Invoices per second: the whole issue of one invoice to a company (its number, the Factur-X EN
16931 XML by the factur-x library and its XSD check, the PDF/A-3 by WeasyPrint with the XML
embedded, the PAdES seal, storage, audit event), then the invoice read back and validated as a
company's software would (the XML extracted from the PDF, checked against the XSD again). In
process, over the demo's filed dossiers. `python -m bench.invoices` runs it alone."""

import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

INVOICES = 50


def invoices_figures(count: int = INVOICES) -> list:
    from bench.run import Figure
    from guichet.connectors.registry import connector_for
    from guichet.dossiers.models import Dossier, DossierState
    from guichet.invoicing.amounts import Line
    from guichet.invoicing.facturx import facturx_xml_check, facturx_xml_from_pdf
    from guichet.invoicing.services import Customer, invoice_issue

    dossiers = list(Dossier.objects.exclude(state=DossierState.DRAFT).exclude(number=None).order_by("pk")[:count])
    if not dossiers:
        raise RuntimeError("the demo has no filed dossier to invoice")
    customer = Customer(name="Ateliers Dupont SAS", siret="73282932000074", postcode="69007", city="Lyon")
    lines = [
        Line("Redevance d’occupation du domaine public (m²)", Decimal("42.5"), Decimal("3.20"), Decimal("0")),
        Line("Frais de dossier", Decimal("1"), Decimal("25.00"), Decimal("0")),
    ]
    connector_for("seal").signer()  # loaded once per worker process
    invoice_issue(dossier=dossiers[0], customer=customer, lines=lines, actor=None)  # warm-up
    samples = []
    for index in range(count):
        start = time.perf_counter()
        invoice = invoice_issue(dossier=dossiers[index % len(dossiers)], customer=customer, lines=lines, actor=None)
        with invoice.pdf.open("rb") as stored:
            facturx_xml_check(facturx_xml_from_pdf(stored.read()))
        samples.append(time.perf_counter() - start)
    median = statistics.median(samples)
    return [
        Figure("invoices_issued_sealed_validated_per_second", 1 / median, "invoices/s"),
        Figure("invoice_issued_sealed_validated_median", median * 1000, "ms"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.run import figures_print

    figures_print(invoices_figures)
