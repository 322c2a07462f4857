"""An invoice to a company, as the tests issue it."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from guichet.invoicing.amounts import Line
from guichet.invoicing.deposits import invoices_follow
from guichet.invoicing.services import Customer, invoice_issue

COMPANY = Customer(
    name="Ateliers Dupont SAS",
    siret="73282932000074",
    street="12 rue des Forges",
    postcode="69007",
    city="Lyon",
    service_code="SERVICE-COMPTA",
    order_number="EJ-2026-0042",
)
ROOM = (
    Line(
        label="Location de la salle des fêtes (journée)",
        quantity=Decimal("2"),
        unit_price=Decimal("150.00"),
        vat_rate=Decimal("0"),
    ),
)


def issue(dossier, agent, lines=ROOM, **options):
    return invoice_issue(dossier=dossier, customer=COMPANY, lines=lines, actor=agent, **options)


def rounds(count: int = 1):
    """Worker rounds, each as if its invoices' next attempt were due."""
    return [invoices_follow(now=timezone.now() + timedelta(days=1)) for _ in range(count)]
