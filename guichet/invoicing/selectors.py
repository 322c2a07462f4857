"""Reads of invoices. Who may see them is whoever may see their dossier: the screens check the
dossier first (an instructor's group, the applicant's own), then ask for its invoices here."""

from django.db.models import QuerySet

from guichet.dossiers.models import Dossier

from .models import Invoice


def invoices_of_dossier(dossier: Dossier) -> QuerySet[Invoice]:
    """The dossier's invoices and credit notes, in the order of their numbers."""
    return (
        Invoice.objects.filter(dossier=dossier)
        .select_related("credited_invoice", "credit_note")
        .defer("facturx_xml")
        .order_by("issue_date", "pk")  # the order of their numbers (« AV-… » sorts before « FAC-… »)
    )


def invoice_of_dossier(dossier: Dossier, invoice_pk: int) -> Invoice:
    """One invoice of the dossier (already checked as visible); Invoice.DoesNotExist for any other."""
    invoice = invoices_of_dossier(dossier).get(pk=invoice_pk)
    invoice.dossier = dossier
    return invoice
