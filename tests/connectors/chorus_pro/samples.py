"""A Factur-X PDF made as the invoicing app makes one (without its layout and seal)."""

from datetime import date
from decimal import Decimal

from guichet.documents.rendering import html_to_pdfa
from guichet.invoicing.amounts import Line, amounts_compute
from guichet.invoicing.facturx import facturx_data, facturx_embed, facturx_xml

SELLER = {"name": "Commune de Test", "siret": "21750001600019", "city": "Paris", "postcode": "75004"}
BUYER = {"name": "Ateliers Dupont SAS", "siret": "73282932000074", "city": "Lyon", "postcode": "69007"}


def facturx_pdf(number: str = "FAC-2026-000001", *, buyer: dict = BUYER) -> bytes:
    amounts = amounts_compute([Line("Redevance d’occupation", Decimal(1), Decimal("80.00"), Decimal(0))])
    xml = facturx_xml(
        facturx_data(
            number=number,
            issue_date=date(2026, 12, 7),
            due_date=date(2027, 1, 6),
            seller=SELLER,
            buyer=buyer,
            amounts=amounts,
            payment_terms="À réception.",
        )
    )
    return facturx_embed(html_to_pdfa(f"<p>Facture {number}</p>"), xml, title=number, author=SELLER["name"])
