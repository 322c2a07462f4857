"""The fee a procedure charges, carried by its form definition (`FormDefinition.fee`, so a dossier
pays what its version said), and its amount for one dossier's answers.

A fee is none, fixed, or computed by formulas over the answers (formulas.py). It is a list of lines
(label, quantity, unit price, VAT rate); the amounts are exact decimals in euros, rounded half-up at
the cent once per line and once per VAT rate, as EN 16931 invoices do: the totals are sums of
rounded amounts, so the lines, the VAT breakdown and the total never drift apart, whatever the
answers. The payments app (PayFiP) charges the total; the invoicing app writes the same lines."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .formulas import FormulaError, formula_parse

CENT = Decimal("0.01")
QUANTITY_STEP = Decimal("0.0001")
# PayFiP takes 1 € to 100,000 € per payment (eopayment's bounds); a fee above is refused.
MAXIMUM = Decimal("100000.00")
NARROW_SPACE, NO_BREAK_SPACE = "\u202f", "\u00a0"


class FeeKind(StrEnum):
    NONE = "none"
    FIXED = "fixed"
    FORMULA = "formula"


class FeeMoment(StrEnum):
    BEFORE_FILING = "before_filing"
    AFTER_ACCEPTANCE = "after_acceptance"


class FeePayer(StrEnum):
    APPLICANT = "applicant"
    COMPANY = "company"


FEE_KIND_LABELS = {
    FeeKind.NONE: "Aucun frais",
    FeeKind.FIXED: "Montant fixe",
    FeeKind.FORMULA: "Montant calculé à partir des réponses",
}
FEE_MOMENT_LABELS = {
    FeeMoment.BEFORE_FILING: "Avant le dépôt du dossier",
    FeeMoment.AFTER_ACCEPTANCE: "Après l’acceptation, avant la remise de l’acte",
}
FEE_PAYER_LABELS = {
    FeePayer.APPLICANT: "L’usager",
    FeePayer.COMPANY: "L’entreprise dont le SIRET est saisi dans le formulaire (facturée par Chorus Pro)",
}


class FeeUncomputable(ValueError):
    """The fee cannot be computed from these answers; the message says why, in French."""


def money(value: Decimal) -> Decimal:
    """`value` rounded half-up at the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class FeeLineDefinition(BaseModel):
    """One line of the fee. `unit_price` and `quantity` are formulas: a plain number is a formula
    too (a fixed fee), a field id reads the answer."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=200)
    unit_price: str = Field(min_length=1, max_length=500)
    quantity: str = Field(default="1", min_length=1, max_length=500)
    vat_rate: Decimal = Field(default=Decimal("0"), ge=0, le=100, decimal_places=2)

    @field_validator("unit_price", "quantity")
    @classmethod
    def _parses(cls, source: str) -> str:
        try:
            formula_parse(source)
        except FormulaError as error:
            raise ValueError(str(error)) from error
        return source

    def names(self) -> set[str]:
        return formula_parse(self.unit_price).names | formula_parse(self.quantity).names


class FeeDefinition(BaseModel):
    """What a procedure charges, when, to whom, and on which revenue account."""

    model_config = ConfigDict(extra="forbid")
    kind: FeeKind = FeeKind.NONE
    lines: list[FeeLineDefinition] = Field(default_factory=list, max_length=50)
    moment: FeeMoment = FeeMoment.BEFORE_FILING
    # The organisation's revenue account (compte d'imputation) and its label, for the accountant.
    revenue_account: str = Field(default="", max_length=40)
    revenue_label: str = Field(default="", max_length=200)
    payer: FeePayer = FeePayer.APPLICANT
    # With payer "company": the SIRET field whose answer names the company charged.
    payer_siret_field: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]{0,62}$")
    # The fields whose answers give the invoiced company's name (a text) and address (an address);
    # when not named, the form's company identity fields are read (fee_invoices.py, invoicing).
    payer_name_field: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]{0,62}$")
    payer_address_field: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]{0,62}$")

    @model_validator(mode="after")
    def _consistent(self) -> "FeeDefinition":
        if self.kind == FeeKind.NONE and self.lines:
            raise ValueError("une démarche sans frais ne peut pas avoir de lignes de frais")
        if self.kind != FeeKind.NONE and not self.lines:
            raise ValueError("indiquez au moins une ligne de frais")
        if self.kind == FeeKind.FIXED and any(line.names() for line in self.lines):
            raise ValueError("un montant fixe ne peut pas lire les réponses : choisissez un montant calculé")
        if self.payer == FeePayer.COMPANY and not self.payer_siret_field:
            raise ValueError("indiquez le champ SIRET de l’entreprise à qui les frais sont demandés")
        return self

    @property
    def charges(self) -> bool:
        return self.kind != FeeKind.NONE

    def names(self) -> set[str]:
        """The field ids the fee reads."""
        return set().union(*(line.names() for line in self.lines)) if self.lines else set()


@dataclass(frozen=True)
class FeeLine:
    label: str
    quantity: Decimal
    unit_price: Decimal  # excluding VAT, at the cent
    vat_rate: Decimal  # percent
    net: Decimal  # quantity × unit price, at the cent


@dataclass(frozen=True)
class VatBreakdown:
    rate: Decimal
    base: Decimal  # the sum of the lines' net amounts at this rate
    vat: Decimal  # base × rate, at the cent


@dataclass(frozen=True)
class FeeAmount:
    lines: tuple[FeeLine, ...]
    vat: tuple[VatBreakdown, ...]
    total_net: Decimal
    total_vat: Decimal
    total: Decimal  # what is paid: net + VAT

    @property
    def cents(self) -> int:
        return int(self.total * 100)

    def as_json(self) -> dict[str, Any]:
        """Kept with a payment, as it was charged (amounts as strings, exact)."""
        return {
            "lines": [
                {
                    "label": line.label,
                    "quantity": str(line.quantity),
                    "unit_price": str(line.unit_price),
                    "vat_rate": str(line.vat_rate),
                    "net": str(line.net),
                }
                for line in self.lines
            ],
            "vat": [{"rate": str(row.rate), "base": str(row.base), "vat": str(row.vat)} for row in self.vat],
            "total_net": str(self.total_net),
            "total_vat": str(self.total_vat),
            "total": str(self.total),
        }


def _value(source: str, answers: Mapping[str, Any], what: str, label: str) -> Decimal:
    value = formula_parse(source).evaluate(answers)
    try:
        number = Decimal(value) if isinstance(value, Decimal | int) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if value is None or number is None or not number.is_finite():
        raise FeeUncomputable(f"{what} de la ligne « {label} » ne peut pas être calculé(e) à partir des réponses")
    if number < 0:
        raise FeeUncomputable(f"{what} de la ligne « {label} » est négatif(ve)")
    return number


def fee_lines(*, definition: FeeDefinition, answers: Mapping[str, Any]) -> FeeAmount:
    """The fee's lines and totals for these answers. Raises FeeUncomputable when an answer it
    needs is missing, or an amount is negative or above PayFiP's maximum."""
    lines = []
    for spec in definition.lines:
        quantity = _value(spec.quantity, answers, "La quantité", spec.label).quantize(
            QUANTITY_STEP, rounding=ROUND_HALF_UP
        )
        unit_price = money(_value(spec.unit_price, answers, "Le prix unitaire", spec.label))
        lines.append(FeeLine(spec.label, quantity, unit_price, spec.vat_rate, money(quantity * unit_price)))
    rates: dict[Decimal, Decimal] = {}
    for line in lines:
        rates[line.vat_rate] = rates.get(line.vat_rate, Decimal("0.00")) + line.net
    vat = tuple(VatBreakdown(rate, base, money(base * rate / 100)) for rate, base in sorted(rates.items()))
    total_net = sum((line.net for line in lines), Decimal("0.00"))
    total_vat = sum((row.vat for row in vat), Decimal("0.00"))
    total = total_net + total_vat
    if total > MAXIMUM:
        raise FeeUncomputable(f"Le montant des frais dépasse le maximum de {MAXIMUM:.2f} € par paiement")
    return FeeAmount(tuple(lines), vat, total_net, total_vat, total)


def fee_errors(fee: FeeDefinition, fields: Mapping[str, str]) -> list[tuple[str, str]]:
    """The fee's references to the form, checked against `fields` (id → type of every field of
    the form): the formulas read fields that exist, the payer's SIRET is a SIRET field."""
    errors = []
    for index, line in enumerate(fee.lines):
        unknown = sorted(line.names() - set(fields))
        if unknown:
            named = ", ".join(f"« {name} »" for name in unknown)
            errors.append(
                (f"fee.lines[{index}]", f"la ligne de frais porte sur {named}, un champ absent du formulaire")
            )
    if fee.payer == FeePayer.COMPANY and fields.get(fee.payer_siret_field or "") != "siret":
        errors.append(
            ("fee.payer_siret_field", "le champ désignant l’entreprise doit être un champ SIRET du formulaire")
        )
    named = {"payer_name_field": ("text", "un champ texte"), "payer_address_field": ("address", "un champ adresse")}
    for setting, (kind, what) in named.items():
        field_id = getattr(fee, setting)
        if field_id is not None and fields.get(field_id) != kind:
            errors.append((f"fee.{setting}", f"le champ « {field_id} » doit être {what} du formulaire"))
    return errors


def fee_set(definition: dict[str, Any], *, fee: dict[str, Any] | None) -> dict[str, Any]:
    """The form definition with its fee replaced (none: removed), for the builder."""
    new = {key: value for key, value in definition.items() if key != "fee"}
    if fee is not None and fee.get("kind", FeeKind.NONE) != FeeKind.NONE:
        new["fee"] = fee
    return new


def _grouped(amount: Decimal, separator: str) -> str:
    whole, cents = f"{money(amount):,.2f}".split(".")
    return whole.replace(",", separator) + "," + cents


def euros(amount: Decimal) -> str:
    """An amount as French readers write it: 1 234,50 €."""
    return _grouped(amount, NARROW_SPACE) + NO_BREAK_SPACE + "€"


def amount_for_spreadsheet(amount: Decimal) -> str:
    """An amount to the cent in a CSV for a French spreadsheet: « 1 234,50 », « -300,00 ». The
    thousands are parted by a plain space, which spreadsheets in French read as a number (a narrow
    no-break space, right in print, is read as text by some)."""
    return _grouped(amount, " ")
