"""Fees to the cent: fixed or computed from the answers, rounded once per line and once per VAT rate,
with totals that are the sums of what the lines and the breakdown show."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from guichet.procedures.definition import DefinitionInvalid, definition_validate
from guichet.procedures.fees import (
    CENT,
    FeeDefinition,
    FeeKind,
    FeeUncomputable,
    euros,
    fee_lines,
    money,
)


def _fee(*lines, kind=FeeKind.FORMULA, **extra) -> FeeDefinition:
    return FeeDefinition.model_validate({"kind": kind, "lines": list(lines), **extra})


def test_a_fixed_fee_is_its_price():
    fee = _fee({"label": "Copie intégrale", "unit_price": "12.50"}, kind=FeeKind.FIXED)
    amount = fee_lines(definition=fee, answers={})
    assert amount.total == Decimal("12.50")
    assert amount.cents == 1250
    assert euros(amount.total) == "12,50\u00a0€"


def test_a_computed_fee_reads_the_answers_and_rounds_half_up_at_the_cent():
    fee = _fee(
        {"label": "Location de salle", "unit_price": "{tarif-horaire}", "quantity": "heures"},
        {"label": "Ménage", "unit_price": "19.99", "vat_rate": "20"},
    )
    amount = fee_lines(definition=fee, answers={"tarif-horaire": "10.005", "heures": "3"})
    # 10.005 → 10.01 € an hour (half-up), 3 hours → 30.03 €; cleaning 19.99 € + 20 % VAT (4.00 €).
    assert [line.net for line in amount.lines] == [Decimal("30.03"), Decimal("19.99")]
    assert [(row.rate, row.base, row.vat) for row in amount.vat] == [
        (Decimal("0"), Decimal("30.03"), Decimal("0.00")),
        (Decimal("20"), Decimal("19.99"), Decimal("4.00")),
    ]
    assert (amount.total_net, amount.total_vat, amount.total) == (Decimal("50.02"), Decimal("4.00"), Decimal("54.02"))


def test_a_fee_that_cannot_be_computed_says_which_line():
    fee = _fee({"label": "Surface", "unit_price": "2", "quantity": "surface"})
    with pytest.raises(FeeUncomputable, match="« Surface »"):
        fee_lines(definition=fee, answers={})
    with pytest.raises(FeeUncomputable, match="négati"):
        fee_lines(definition=fee, answers={"surface": "-3"})
    with pytest.raises(FeeUncomputable, match="maximum"):
        fee_lines(definition=fee, answers={"surface": "60000"})


def test_a_fixed_fee_cannot_read_the_answers_and_a_company_payer_needs_its_siret_field():
    with pytest.raises(ValidationError, match="montant fixe"):
        _fee({"label": "Frais", "unit_price": "montant"}, kind=FeeKind.FIXED)
    with pytest.raises(ValidationError, match="champ SIRET"):
        _fee({"label": "Frais", "unit_price": "5"}, kind=FeeKind.FIXED, payer="company")
    with pytest.raises(ValidationError, match="au moins une ligne"):
        _fee(kind=FeeKind.FIXED)


def test_the_form_checks_what_the_fee_reads():
    definition = {
        "pages": [{"id": "p", "title": "Demande", "fields": [{"id": "nom", "type": "text", "label": "Nom"}]}],
        "fee": {
            "kind": "formula",
            "lines": [{"label": "Frais", "unit_price": "surface * 2"}],
            "payer": "company",
            "payer_siret_field": "nom",
        },
    }
    with pytest.raises(DefinitionInvalid) as raised:
        definition_validate(definition)
    places = dict(raised.value.errors)
    assert "« surface »" in places["fee.lines[0]"]
    assert "SIRET" in places["fee.payer_siret_field"]


prices = st.decimals(min_value=0, max_value=250, places=3, allow_nan=False, allow_infinity=False)
quantities = st.decimals(min_value=0, max_value=40, places=2, allow_nan=False, allow_infinity=False)
rates = st.sampled_from(["0", "2.1", "5.5", "10", "20"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(prices, quantities, rates), min_size=1, max_size=8))
def test_no_rounding_drift_between_the_answers_the_lines_and_the_totals(rows):
    """Whatever the answers, every amount is at the cent, each line is its quantity times its unit
    price rounded once, the VAT of each rate is its base times the rate rounded once, and the totals
    are the sums of what is shown: the payment, the quittance and an invoice agree to the cent."""
    fee = _fee(
        *(
            {"label": f"Ligne {index}", "unit_price": f"prix{index}", "quantity": f"qte{index}", "vat_rate": rate}
            for index, (_, _, rate) in enumerate(rows)
        )
    )
    answers = {}
    for index, (price, quantity, _) in enumerate(rows):
        answers[f"prix{index}"], answers[f"qte{index}"] = str(price), str(quantity)
    amount = fee_lines(definition=fee, answers=answers)
    for line, (price, quantity, _) in zip(amount.lines, rows, strict=True):
        assert line.unit_price == money(price)
        assert line.net == money(quantity * money(price))
    for row in amount.vat:
        assert row.base == sum(line.net for line in amount.lines if line.vat_rate == row.rate)
        assert row.vat == money(row.base * row.rate / 100)
    assert amount.total_net == sum(line.net for line in amount.lines)
    assert amount.total_vat == sum(row.vat for row in amount.vat)
    assert amount.total == amount.total_net + amount.total_vat
    for value in (amount.total, amount.total_net, amount.total_vat, *(line.net for line in amount.lines)):
        assert value == value.quantize(CENT)
    assert Decimal(amount.cents) / 100 == amount.total
    assert Decimal(amount.as_json()["total"]) == amount.total
