import pytest
from django.conf import settings

from bench.payments import payments_figures
from guichet.dossiers.models import Dossier, DossierState
from guichet.payments.models import Payment, PaymentStatus

pytestmark = pytest.mark.slow


def test_the_payments_benchmark_confirms_and_files_every_payment(demo):
    before = Payment.objects.filter(status=PaymentStatus.PAID, backend="payfip").count()
    figures = {figure.name: figure.value for figure in payments_figures(3)}
    assert figures["payments_confirmed_per_second"] > 0 and figures["payments_opened_per_second"] > 0
    paid = Payment.objects.filter(status=PaymentStatus.PAID, backend="payfip")
    assert paid.count() == before + 3
    assert not Dossier.objects.filter(payments__in=paid, state=DossierState.DRAFT).exists()
    assert not settings.GUICHET_PAYFIP_NUMCLI  # the stand-in's settings do not outlive the benchmark
