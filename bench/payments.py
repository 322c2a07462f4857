"""Online payments: payments confirmed per second against the stand-in PayFiP (tests/connectors/payfip,
a real local SOAP server): for each, recupererDetailPaiementSecurise asked, the result recorded under
the payment's lock, the dossier filed (its number, group, snapshot and follow-up chain written) and
its quittance requested. Opening the payments (creerPaiementSecurise) is timed too. The quittances
and receipts themselves are the worker's (bench/acts.py measures acts).

`python -m bench.payments [count]` runs it alone (over bench/settings.py's database, the demo
loaded); `payments_figures(count)` gives the figures to bench/run.py."""

import random
import sys
import time
from pathlib import Path

PAYMENTS = 200


def payments_figures(count: int = PAYMENTS) -> list:
    from django.test import override_settings

    from bench.run import Figure
    from guichet.demo.answers import fake_answers
    from guichet.dossiers.models import Dossier, DossierState
    from guichet.dossiers.services import dossier_create
    from guichet.payments.models import PaymentStatus
    from guichet.payments.services import payment_confirm, payment_start
    from guichet.procedures.models import Procedure
    from tests.connectors.payfip.stand_in import NUMCLI, PAID_CARD, stand_in_payfip

    procedure = Procedure.objects.get(slug="reservation-salle-des-fetes")
    applicant = Dossier.objects.filter(procedure=procedure).exclude(number=None).first().applicant
    definition = procedure.latest_version.definition
    rng = random.Random(20)
    with (
        stand_in_payfip() as payfip,
        override_settings(
            GUICHET_PAYFIP_NUMCLI=NUMCLI,
            GUICHET_PAYFIP_SAISIE="T",
            GUICHET_PAYFIP_URL=payfip.service_url,
            GUICHET_PAYFIP_PAYMENT_URL=payfip.payment_url,
        ),
    ):
        drafts = [
            dossier_create(actor=applicant, procedure=procedure, answers=fake_answers(definition, rng))
            for _ in range(count)
        ]
        start = time.perf_counter()
        payments = [payment_start(actor=applicant, dossier=draft) for draft in drafts]
        opened = time.perf_counter() - start
        for payment in payments:
            payfip.person_finishes(payment.operation_id, PAID_CARD)
        start = time.perf_counter()
        confirmed = [payment_confirm(payment=payment) for payment in payments]
        elapsed = time.perf_counter() - start
    paid = sum(payment.status == PaymentStatus.PAID for payment in confirmed)
    filed = Dossier.objects.filter(pk__in=[draft.pk for draft in drafts]).exclude(state=DossierState.DRAFT).count()
    if paid != count or filed != count:
        raise RuntimeError(f"{paid} payments recorded as paid and {filed} dossiers filed, of {count}")
    return [
        Figure("payments_opened_per_second", count / opened, "payments/s"),
        Figure("payments_confirmed_per_second", count / elapsed, "payments/s"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.run import figures_print

    figures_print(payments_figures)
