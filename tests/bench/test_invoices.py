import pytest

from bench.invoices import invoices_figures
from guichet.invoicing.models import Invoice
from tests.factories import DossierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_invoices_benchmark_issues_seals_and_validates_each_invoice():
    DossierFactory(submitted=True)
    figures = {figure.name: figure.value for figure in invoices_figures(2)}
    assert figures["invoices_issued_sealed_validated_per_second"] > 0
    assert Invoice.objects.count() == 3  # the warm-up and the two measured
