"""Reads of invoices. Who may see them is whoever may see their dossier: the applicant who filed it
(the company invoiced) here, the instructors of its group in instruction/access.py."""

from django.db.models import QuerySet

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_for_applicant

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


def invoice_of_applicant(user: User, *, dossier_pk: int, invoice_pk: int) -> Invoice:
    """An invoice of one of the applicant's dossiers; Invoice.DoesNotExist for any other."""
    try:
        dossier = dossier_for_applicant(user, dossier_pk)
    except Dossier.DoesNotExist:
        raise Invoice.DoesNotExist from None
    return invoice_of_dossier(dossier, invoice_pk)
