"""Who reaches an invoice: the instructors of its dossier's group and the applicant who filed the
dossier (the company invoiced), each under that dossier only."""

import pytest

from guichet.instruction.access import invoice_of_instructor
from guichet.invoicing.models import Invoice
from guichet.invoicing.selectors import invoice_of_applicant
from tests.factories import DossierFactory, UserFactory, instructor_of
from tests.invoicing.samples import issue

pytestmark = pytest.mark.django_db


def test_an_invoice_is_reached_only_by_its_dossiers_instructors_and_applicant_under_that_dossier(dossier, agent):
    invoice = issue(dossier, agent)
    instructor = instructor_of(dossier.procedure)
    applicant = dossier.applicant
    assert invoice_of_instructor(instructor, dossier_pk=dossier.pk, invoice_pk=invoice.pk) == invoice
    assert invoice_of_applicant(applicant, dossier_pk=dossier.pk, invoice_pk=invoice.pk) == invoice

    # Under another dossier the same people see: not found.
    sibling = DossierFactory(accepted=True, procedure=dossier.procedure, applicant=applicant)
    for selector, user in ((invoice_of_instructor, instructor), (invoice_of_applicant, applicant)):
        with pytest.raises(Invoice.DoesNotExist):
            selector(user, dossier_pk=sibling.pk, invoice_pk=invoice.pk)
    # Anyone else: not found either, as if it did not exist.
    for selector, user in (
        (invoice_of_instructor, applicant),
        (invoice_of_instructor, instructor_of(DossierFactory(accepted=True).procedure)),
        (invoice_of_applicant, instructor),
        (invoice_of_applicant, UserFactory()),
    ):
        with pytest.raises(Invoice.DoesNotExist):
            selector(user, dossier_pk=dossier.pk, invoice_pk=invoice.pk)
