"""The demonstration's invoices to companies: the works on historic monuments that the DRAC
authorised give rise to an archaeological diagnostic, invoiced to the owner (a company: its SIRET
when the dossier gives one, else the demo's property company). The first ones went through the
in-process invoicing platform to their payment; the last waits for the worker, which deposits it
when `make run` starts (GUICHET_INVOICING_DUMMY in development)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from guichet.accounts.models import User
from guichet.connectors.invoicing_dummy.connector import DummyInvoicing
from guichet.dossiers.models import Dossier, DossierState
from guichet.invoicing.amounts import Line
from guichet.invoicing.deposits import invoices_follow
from guichet.invoicing.models import Invoice
from guichet.invoicing.services import Customer, invoice_issue

PROCEDURE = "autorisation-travaux-monument-historique"
OWNER = Customer(
    name="SCI du Cloître Saint-Aignan",
    siret="73282932000074",
    street="4 rue du Cloître",
    postcode="45000",
    city="Orléans",
    service_code="GESTION-PATRIMOINE",
)
FOLLOWED = 2  # invoices taken to their payment in the demo data


def _lines(dossier: Dossier) -> list[Line]:
    surface = Decimal(40 + (dossier.pk % 7) * 15)
    return [
        Line("Diagnostic d’archéologie préventive (m² d’emprise des travaux)", surface, Decimal("0.63"), Decimal(0)),
        Line("Frais d’instruction du dossier de diagnostic", Decimal(1), Decimal("85.00"), Decimal(0)),
    ]


def demo_invoices_load(*, instructor: User) -> None:
    """Invoice the accepted dossiers of the works procedure (nothing when already done)."""
    accepted = list(Dossier.objects.filter(procedure__slug=PROCEDURE, state=DossierState.ACCEPTED).order_by("pk")[:3])
    if not accepted or Invoice.objects.filter(dossier__in=accepted).exists():
        return
    platform = DummyInvoicing()
    for position, dossier in enumerate(accepted):
        if position == FOLLOWED:
            # The first ones through the in-process platform to their payment: deposited, integrated, paid.
            for _ in range(3):
                invoices_follow(connector=platform, now=timezone.now() + timedelta(days=1))
        siret = str(dossier.answers.get("proprietaire_siret") or "")
        owner = (
            Customer(
                name=str(dossier.answers.get("proprietaire_denomination") or OWNER.name)[:200],
                siret=siret,
                service_code=OWNER.service_code,
            )
            if siret
            else OWNER
        )
        invoice_issue(dossier=dossier, customer=owner, lines=_lines(dossier), actor=instructor)
