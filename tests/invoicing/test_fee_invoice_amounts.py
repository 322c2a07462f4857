"""From the answers to the invoice: the fee's lines, the invoice's lines and the invoice's totals
agree to the cent, whatever the answers (a property test), and the form checks the fields that name
the invoiced company."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guichet.invoicing.amounts import amounts_compute
from guichet.invoicing.fee_invoices import fee_invoice_lines
from guichet.procedures.definition import DefinitionInvalid, definition_validate
from guichet.procedures.fees import FeeDefinition, fee_lines
from tests.invoicing.fee_samples import company_fee_definition

prices = st.decimals(min_value=0, max_value=900, places=3, allow_nan=False, allow_infinity=False)
# Up to the ten-thousandth, as the fees compute them: finer than an invoice line's thousandth. At
# most 10, so that 8 lines at 900 € with 20 % VAT stay under a payment's maximum (100,000 €).
quantities = st.decimals(min_value=0, max_value=10, places=4, allow_nan=False, allow_infinity=False)
# One invoice is either outside VAT's scope or subject to it (EN 16931, BR-O-11 to 14).
taxed_rates = st.sampled_from(["2.1", "5.5", "10", "20"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(prices, quantities, taxed_rates), min_size=1, max_size=8), st.booleans())
def test_answers_fee_lines_invoice_lines_and_totals_never_drift(rows, outside_vat):
    fee = FeeDefinition.model_validate(
        {
            "kind": "formula",
            "lines": [
                {
                    "label": f"Ligne {index}",
                    "unit_price": f"prix{index}",
                    "quantity": f"qte{index}",
                    "vat_rate": "0" if outside_vat else rate,
                }
                for index, (_, _, rate) in enumerate(rows)
            ],
            "payer": "company",
            "payer_siret_field": "siret",
        }
    )
    answers = {}
    for index, (price, quantity, _) in enumerate(rows):
        answers[f"prix{index}"], answers[f"qte{index}"] = str(price), str(quantity)
    amount = fee_lines(definition=fee, answers=answers)
    lines = fee_invoice_lines(amount)
    charged = [line for line in amount.lines if line.quantity]
    assert len(lines) == len(charged)
    if not amount.total:
        return  # nothing due: nothing is invoiced
    invoice = amounts_compute(lines)
    for fee_line, invoice_line in zip(charged, invoice.lines, strict=True):
        assert invoice_line.net_amount == fee_line.net
        assert invoice_line.vat_rate == fee_line.vat_rate
    invoiced_rates = {line.vat_rate for line in charged}  # a rate of dropped lines only is worth 0
    assert [(part.rate, part.base, part.amount) for part in invoice.vat] == [
        (row.rate, row.base, row.vat) for row in amount.vat if row.rate in invoiced_rates
    ]
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        amount.total_net,
        amount.total_vat,
        amount.total,
    )


def test_a_quantity_finer_than_the_thousandth_keeps_the_amount():
    fee = FeeDefinition.model_validate(
        {"kind": "fixed", "lines": [{"label": "Surface", "unit_price": "3.33", "quantity": "1.2345"}]}
    )
    (line,) = fee_invoice_lines(fee_lines(definition=fee, answers={}))
    assert (line.label, line.quantity, line.unit_price) == ("Surface (quantité 1,2345)", Decimal("1"), Decimal("4.11"))


def test_the_form_checks_the_fields_that_name_the_company():
    definition = company_fee_definition(payer_name_field="surface", payer_address_field="entreprise")
    with pytest.raises(DefinitionInvalid) as raised:
        definition_validate(definition)
    places = dict(raised.value.errors)
    assert places["fee.payer_name_field"] == "le champ « surface » doit être un champ texte du formulaire"
    assert places["fee.payer_address_field"] == "le champ « entreprise » doit être un champ adresse du formulaire"
    assert definition_validate(company_fee_definition(payer_name_field="entreprise")).fee.payer_name_field
