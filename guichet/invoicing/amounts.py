"""An invoice's amounts in exact decimals, as EN 16931 computes them: each line's net amount is
its quantity times its unit price, rounded to the cent; the VAT of each rate is computed once on
the sum of that rate's lines (BR-CO-17), never line by line, so the totals never drift from the
lines; the total with VAT is the net total plus the VAT total (BR-CO-15)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol

CENT = Decimal("0.01")
QUANTITY_STEP = Decimal("0.001")
# The VAT rates of France (CGI art. 278 to 281 nonies); 0: outside VAT's scope (CGI art. 256 B),
# which is the case of most fees of public bodies.
VAT_RATES = tuple(Decimal(rate) for rate in ("0", "2.1", "5.5", "10", "20"))
MAX_LINES = 200
MAX_AMOUNT = Decimal("999999999999.99")
NARROW_SPACE, NO_BREAK_SPACE = "\u202f", "\u00a0"


class InvoiceInvalid(ValueError):
    """What is asked cannot be invoiced; the message says why, in French, to the person who asked."""


class LineLike(Protocol):
    """What an invoice line is made from (the fees of a procedure give such lines)."""

    label: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class Line:
    label: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class ComputedLine:
    position: int
    label: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    net_amount: Decimal


@dataclass(frozen=True)
class VatBreakdown:
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Amounts:
    lines: tuple[ComputedLine, ...]
    vat: tuple[VatBreakdown, ...]
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal

    @property
    def subject_to_vat(self) -> bool:
        return any(part.rate for part in self.vat)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value, what: str) -> Decimal:
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as error:
        raise InvoiceInvalid(f"{what} n’est pas un nombre : {value!r}.") from error
    if not number.is_finite():
        raise InvoiceInvalid(f"{what} n’est pas un nombre : {value!r}.")
    return number


def amounts_compute(lines: Sequence[LineLike]) -> Amounts:
    """Check the lines and compute the invoice's amounts; InvoiceInvalid says what is wrong."""
    if not lines:
        raise InvoiceInvalid("Une facture a au moins une ligne.")
    if len(lines) > MAX_LINES:
        raise InvoiceInvalid(f"Une facture a au plus {MAX_LINES} lignes.")
    computed = []
    for position, line in enumerate(lines, start=1):
        label = " ".join(str(line.label or "").split())
        if not label or len(label) > 200:
            raise InvoiceInvalid(f"Ligne {position} : le libellé est obligatoire (200 caractères au plus).")
        quantity = _decimal(line.quantity, f"Ligne {position} : la quantité")
        unit_price = _decimal(line.unit_price, f"Ligne {position} : le prix unitaire")
        rate = _decimal(line.vat_rate, f"Ligne {position} : le taux de TVA")
        if quantity <= 0 or quantity != quantity.quantize(QUANTITY_STEP):
            raise InvoiceInvalid(f"Ligne {position} : la quantité doit être positive, au millième près.")
        if unit_price < 0 or unit_price != cents(unit_price):
            raise InvoiceInvalid(f"Ligne {position} : le prix unitaire doit être positif, au centime près.")
        if rate not in VAT_RATES:
            allowed = ", ".join(f"{r.normalize():f} %".replace(".", ",") for r in VAT_RATES)
            raise InvoiceInvalid(f"Ligne {position} : taux de TVA inconnu ({rate} %) ; taux possibles : {allowed}.")
        computed.append(
            ComputedLine(
                position=position,
                label=label,
                quantity=quantity.quantize(QUANTITY_STEP),
                unit_price=cents(unit_price),
                vat_rate=rate.quantize(CENT),
                net_amount=cents(quantity * unit_price),
            )
        )
    rates = sorted({line.vat_rate for line in computed})
    if len(rates) > 1 and Decimal(0) in rates:
        # EN 16931 (BR-O-11 to BR-O-14): what is outside VAT's scope goes on an invoice of its own.
        raise InvoiceInvalid(
            "Une facture ne peut mêler des lignes hors du champ de la TVA et des lignes soumises à la TVA."
        )
    vat = []
    for rate in rates:
        base = sum((line.net_amount for line in computed if line.vat_rate == rate), Decimal("0.00"))
        vat.append(VatBreakdown(rate=rate, base=base, amount=cents(base * rate / 100)))
    total_net = sum((part.base for part in vat), Decimal("0.00"))
    total_vat = sum((part.amount for part in vat), Decimal("0.00"))
    total_gross = total_net + total_vat
    if total_gross <= 0:
        raise InvoiceInvalid("Le montant de la facture doit être positif.")
    if total_gross > MAX_AMOUNT:
        raise InvoiceInvalid("Le montant de la facture est trop élevé.")
    return Amounts(tuple(computed), tuple(vat), total_net, total_vat, total_gross)


def euros_text(value: Decimal) -> str:
    """An amount as the French write it, to the cent: « 1 234,50 € »."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(cents(value)):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + NARROW_SPACE.join(groups) + f",{fraction}" + NO_BREAK_SPACE + "€"


def rate_text(rate: Decimal) -> str:
    """A VAT rate: « 20 % », « 5,5 % », « hors champ »."""
    if not rate:
        return "hors champ"
    return f"{rate.normalize():f}".replace(".", ",") + NO_BREAK_SPACE + "%"
