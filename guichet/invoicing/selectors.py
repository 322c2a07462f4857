"""Reads of invoices. Who may see them is whoever may see their dossier: the applicant who filed it
(the company invoiced) here, the instructors of its group in instruction/access.py; all of an
organisation's, for its accountant, whoever administers the organisation's procedures."""

from django.db.models import QuerySet

from guichet.accounts.models import Organisation, User
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_for_applicant
from guichet.procedures.selectors import organisation_administered

from .models import Invoice


def invoices_of_dossier(dossier: Dossier) -> QuerySet[Invoice]:
    """The dossier's invoices and credit notes, in the order of their numbers."""
    return (
        Invoice.objects.filter(dossier=dossier)
        .select_related("credited_invoice", "replaces", "replaced_by", "issued_by")
        .prefetch_related("credit_notes")
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


def invoices_of_organisation_administered(user: User, *, organisation_pk: int) -> tuple[Organisation, QuerySet]:
    """An organisation whose procedures the person administers, and all its invoices and credit
    notes (for its accountant); Organisation.DoesNotExist for any other organisation."""
    organisation = organisation_administered(user, organisation_pk)
    return organisation, Invoice.objects.filter(organisation=organisation)
