"""Amounts to the cent: whatever the lines, the Factur-X totals are exactly the sums of the lines
and of the VAT computed once per rate, with nothing lost or gained to rounding (the checks a
company's software and Chorus Pro make: EN 16931's BR-CO-10, BR-CO-13 to BR-CO-15, BR-CO-17)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from guichet.invoicing.amounts import CENT, Line, amounts_compute, euros_text, rate_text
from guichet.invoicing.facturx import facturx_data, facturx_xml

SELLER = {"name": "Commune", "siret": "21750001600019", "vat_number": "FR12217500016"}
BUYER = {"name": "Entreprise", "siret": "73282932000074"}
LINE_TOTALS = (
    "//*[local-name()='SpecifiedTradeSettlementLineMonetarySummation']/*[local-name()='LineTotalAmount']/text()"
)
VAT_AMOUNTS = "//*[local-name()='ApplicableTradeTax']/*[local-name()='CalculatedAmount']/text()"

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("10000"), places=3)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2)
taxed_rates = st.sampled_from([Decimal("2.1"), Decimal("5.5"), Decimal("10"), Decimal("20")])


def lines_of(rates):
    return st.lists(
        st.builds(Line, label=st.just("Prestation"), quantity=quantities, unit_price=prices, vat_rate=rates),
        min_size=1,
        max_size=8,
    ).filter(lambda lines: sum(line.quantity * line.unit_price for line in lines) >= 1)


def _amount(document, name: str) -> Decimal:
    return Decimal(document.findtext(f".//{{*}}SpecifiedTradeSettlementHeaderMonetarySummation/{{*}}{name}"))


@settings(max_examples=60, deadline=None)
@given(lines=st.one_of(lines_of(taxed_rates), lines_of(st.just(Decimal(0)))))
def test_the_totals_are_the_sums_of_the_lines_without_rounding_drift(lines):
    amounts = amounts_compute(lines)
    exact_nets = [line.quantity * line.unit_price for line in lines]
    assert [line.net_amount for line in amounts.lines] == [n.quantize(CENT, ROUND_HALF_UP) for n in exact_nets]
    assert amounts.total_net == sum(line.net_amount for line in amounts.lines)
    for part in amounts.vat:
        base = sum(line.net_amount for line in amounts.lines if line.vat_rate == part.rate)
        assert part.base == base
        assert part.amount == (base * part.rate / 100).quantize(CENT, ROUND_HALF_UP)
        assert abs(part.amount - base * part.rate / 100) <= Decimal("0.005")
    assert amounts.total_gross == amounts.total_net + amounts.total_vat

    xml = facturx_xml(
        facturx_data(
            number="FAC-2026-000001",
            issue_date=date(2026, 12, 7),
            due_date=date(2027, 1, 6),
            seller=SELLER,
            buyer=BUYER,
            amounts=amounts,
            payment_terms="À réception.",
        )
    )  # checked against the EN 16931 XSD by the library
    document = etree.fromstring(xml)
    line_totals = [Decimal(text) for text in document.xpath(LINE_TOTALS)]
    assert sum(line_totals) == _amount(document, "LineTotalAmount") == _amount(document, "TaxBasisTotalAmount")
    vat = [
        Decimal(text)
        for text in document.xpath("//*[local-name()='ApplicableTradeTax']/*[local-name()='CalculatedAmount']/text()")
    ]
    assert sum(vat) == _amount(document, "TaxTotalAmount")
    assert _amount(document, "GrandTotalAmount") == _amount(document, "TaxBasisTotalAmount") + sum(vat)
    assert _amount(document, "DuePayableAmount") == _amount(document, "GrandTotalAmount")


def test_amounts_read_as_the_french_write_them():
    assert euros_text(Decimal("1234567.5")) == "1\u202f234\u202f567,50\u00a0€"
    assert euros_text(Decimal("0.005")) == "0,01\u00a0€"
    assert (rate_text(Decimal("5.50")), rate_text(Decimal("20.00")), rate_text(Decimal(0))) == (
        "5,5\u00a0%",
        "20\u00a0%",
        "hors champ",
    )
