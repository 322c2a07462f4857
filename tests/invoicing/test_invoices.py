"""Issuing invoices and credit notes: what the company receives (a sealed PDF/A-3 whose Factur-X
XML is valid against the EN 16931 XSD and says the same amounts), the series without gaps, and
what cannot be invoiced."""

import io
import threading
from datetime import date
from decimal import Decimal

import pypdf
import pytest
from django.db import close_old_connections, connection
from lxml import etree
from pyhanko.pdf_utils.generic import parse_pdf_date
from pyhanko.pdf_utils.misc import isoparse

from guichet.core.models import AuditAction, AuditEvent
from guichet.documents.pdfa import pdfa_identification
from guichet.invoicing.amounts import InvoiceInvalid, Line
from guichet.invoicing.facturx import facturx_xml_check, facturx_xml_from_pdf
from guichet.invoicing.models import Invoice, InvoicingSettings
from guichet.invoicing.services import Customer, invoice_credit, invoice_issue
from tests.documents.conftest import pdf_text
from tests.documents.test_acts import seal_status
from tests.factories import DossierFactory
from tests.invoicing.samples import COMPANY, ROOM, issue

pytestmark = pytest.mark.django_db

PDFAID, PDF = "http://www.aiim.org/pdfa/ns/id/", "http://ns.adobe.com/pdf/1.3/"
DC, XMP = "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/xap/1.0/"

TAXED = (
    Line("Diagnostic archéologique (m²)", Decimal("1250.5"), Decimal("0.67"), Decimal("20")),
    Line("Frais de dossier", Decimal("1"), Decimal("35.00"), Decimal("20")),
    Line("Copie certifiée", Decimal("3"), Decimal("2.35"), Decimal("5.5")),
)


def test_an_invoice_is_a_sealed_pdfa3_carrying_its_valid_facturx_xml(dossier, agent):
    invoice = issue(dossier, agent)
    pdf = invoice.pdf.read()
    identification = pdfa_identification(pdf)
    assert (identification.declared_part, identification.agrees) == (3, True)
    status = seal_status(pdf)
    assert status.intact and status.valid and status.coverage.name == "ENTIRE_FILE"

    xml = facturx_xml_from_pdf(pdf)
    facturx_xml_check(xml)  # the EN 16931 XSD shipped with factur-x
    assert xml.decode() == invoice.facturx_xml
    text = invoice.facturx_xml
    for expected in (
        f"<ram:ID>{invoice.number}</ram:ID>",
        "<ram:TypeCode>380</ram:TypeCode>",
        "<ram:ID>urn:cen.eu:en16931:2017</ram:ID>",
        f'<ram:GlobalID schemeID="0009">{COMPANY.siret}</ram:GlobalID>',
        "<ram:BuyerReference>SERVICE-COMPTA</ram:BuyerReference>",
        "<ram:CategoryCode>O</ram:CategoryCode>",
        "<ram:GrandTotalAmount>300.00</ram:GrandTotalAmount>",
    ):
        assert expected in text
    words = pdf_text(pdf)
    assert f"Facture n° {invoice.number}" in words and "Ateliers Dupont SAS" in words and "300,00 €" in words
    assert "TVA non applicable" in words and "article 256 B" in words
    assert invoice.number.startswith("FAC-2026-") or invoice.number.startswith(f"FAC-{invoice.issue_date.year}-")
    event = AuditEvent.objects.get(action=AuditAction.INVOICE_ISSUE)
    assert event.actor == agent and event.details["total_gross"] == "300.00"


def test_vat_is_computed_once_per_rate_and_the_totals_add_up(dossier, agent):
    InvoicingSettings.objects.create(organisation=dossier.procedure.organisation, vat_number="FR40100000009")
    invoice = issue(dossier, agent, lines=TAXED)
    # 1250.5 × 0.67 = 837.835 → 837.84; +35.00 = 872.84 at 20 % → 174.568 → 174.57; 7.05 at 5.5 % → 0.38775 → 0.39.
    assert [line.net_amount for line in invoice.lines.all()] == [Decimal("837.84"), Decimal("35.00"), Decimal("7.05")]
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        Decimal("879.89"),
        Decimal("174.96"),
        Decimal("1054.85"),
    )
    facturx_xml_check(invoice.facturx_xml.encode())
    assert '<ram:TaxTotalAmount currencyID="EUR">174.96</ram:TaxTotalAmount>' in invoice.facturx_xml
    assert '<ram:ID schemeID="VA">FR40100000009</ram:ID>' in invoice.facturx_xml


def test_vat_without_the_organisations_vat_number_is_refused_and_uses_no_number(dossier, agent):
    with pytest.raises(InvoiceInvalid, match="numéro de TVA intracommunautaire"):
        issue(dossier, agent, lines=TAXED)
    assert not Invoice.objects.exists()
    assert issue(dossier, agent).number.endswith("-000001")  # the refused one took no number


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ((), "au moins une ligne"),
        ((Line("", 1, Decimal("1"), 0),), "libellé"),
        ((Line("Frais", 0, Decimal("1"), 0),), "quantité"),
        ((Line("Frais", 1, Decimal("1.005"), 0),), "au centime près"),
        ((Line("Frais", 1, Decimal("-1"), 0),), "prix unitaire"),
        ((Line("Frais", 1, Decimal("1"), Decimal("7")),), "taux de TVA inconnu"),
        ((Line("Frais", 1, Decimal("1"), 0), Line("Copie", 1, Decimal("1"), 20)), "hors du champ"),
        ((Line("Frais", 1, "abc", 0),), "n’est pas un nombre"),
    ],
)
def test_what_cannot_be_invoiced_is_refused_with_its_reason(dossier, agent, lines, message):
    with pytest.raises(InvoiceInvalid, match=message):
        issue(dossier, agent, lines=lines)


def test_a_company_without_a_valid_siret_cannot_be_invoiced(dossier, agent):
    with pytest.raises(InvoiceInvalid, match="SIRET"):
        invoice_issue(dossier=dossier, customer=Customer(name="X", siret="12345678901234"), lines=ROOM, actor=agent)


def test_invoices_and_credit_notes_share_one_series_per_organisation_and_year(dossier, agent):
    first = issue(dossier, agent)
    credit_note = invoice_credit(invoice=first, actor=agent)
    second = issue(dossier, agent)
    other_organisation = issue(DossierFactory(accepted=True), agent)
    assert [first.number, credit_note.number, second.number] == [
        f"FAC-{first.issue_date.year}-000001",
        f"AV-{first.issue_date.year}-000002",
        f"FAC-{first.issue_date.year}-000003",
    ]
    assert other_organisation.number == f"FAC-{first.issue_date.year}-000001"
    with pytest.raises(InvoiceInvalid, match="déjà annulée"):
        invoice_credit(invoice=first, actor=agent)
    with pytest.raises(InvoiceInvalid, match="Un avoir"):
        invoice_credit(invoice=credit_note, actor=agent)
    credit_pdf = credit_note.pdf.read()
    assert f"Cet avoir annule la facture n° {first.number}" in pdf_text(credit_pdf)
    facturx_xml_check(facturx_xml_from_pdf(credit_pdf))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL's row locks")
def test_numbers_have_no_gap_when_invoices_are_issued_concurrently_and_some_fail(agent):
    """Four agents invoice at once; half of their invoices fail after taking their number (VAT
    without the organisation's VAT number): the committed ones still number 1, 2, 3… without a gap."""
    dossier = DossierFactory(submitted=True)
    failures: list[Exception] = []

    def issue_some(lines):
        try:
            for _ in range(3):
                try:
                    issue(dossier, agent, lines=lines)
                except InvoiceInvalid:
                    pass
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue_some, args=(ROOM if index % 2 else TAXED,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    assert failures == []
    numbers = sorted(int(number[-6:]) for number in Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 7))


def test_the_sealed_invoice_says_the_same_in_its_info_and_xmp_as_pdfa_3b_requires(dossier, agent):
    """ISO 19005-3 §6.6.3: each entry of the document information dictionary has its equivalent in
    the XMP; the Factur-X extension schema's properties keep their « fx » prefix (readers look for
    fx:ConformanceLevel). We claim PDF/A-3B: the seal's widget is not tagged, so not 3A."""
    pdf = issue(dossier, agent).pdf.read()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    info = reader.trailer["/Info"]
    xmp = etree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    description = xmp.find(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")

    def value(namespace: str, name: str) -> str:
        found = description.get(f"{{{namespace}}}{name}")
        if found is None:
            found = "".join(xmp.find(f".//{{{namespace}}}{name}").itertext())
        return found

    assert (value(PDFAID, "part"), value(PDFAID, "conformance")) == ("3", "B")
    assert value(PDF, "Producer") == str(info["/Producer"])
    assert "/Keywords" not in info  # factur-x writes it empty, with no XMP counterpart
    assert value(DC, "title") == str(info["/Title"]) and value(DC, "creator") == str(info["/Author"])
    assert value(XMP, "CreatorTool") == str(info["/Creator"])
    for xmp_date, info_date in (("CreateDate", "/CreationDate"), ("ModifyDate", "/ModDate")):
        assert isoparse(value(XMP, xmp_date)) == parse_pdf_date(str(info[info_date]))
    assert b"fx:ConformanceLevel" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def test_an_invoice_dated_before_the_last_one_is_refused_and_uses_no_number(dossier, agent):
    first = issue(dossier, agent, issue_date=date(2026, 12, 7))
    with pytest.raises(InvoiceInvalid, match="précède celle de la dernière facture"):
        issue(dossier, agent, issue_date=date(2026, 12, 6))
    assert issue(dossier, agent, issue_date=date(2026, 12, 7)).number == first.number.replace("000001", "000002")
