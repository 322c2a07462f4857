"""Guichet's PayFiP client against the stand-in: every result code, the faults and the outages."""

import pytest

from guichet.connectors.base import (
    ConnectorNotConfigured,
    ConnectorRejected,
    ConnectorUnavailable,
    PaymentRequest,
    PaymentResult,
)
from guichet.connectors.payfip.connector import PayfipPayment, payfip_subject
from guichet.connectors.registry import connector_for
from tests.connectors.payfip.conftest import payfip_connector
from tests.connectors.payfip.stand_in import CANCELLED, PAID_CARD, PAID_DEBIT, REFUSED_CARD, REFUSED_DEBIT


def _open(connector, reference="2026000042A1", amount=1250):
    return connector.payment_create(
        PaymentRequest(
            reference=reference,
            amount_cents=amount,
            email="camille@example.org",
            subject="Copie d’acte de naissance — n°2026-000042",
            year=2026,
            notification_url="https://guichet.example.org/paiements/notification/",
            return_url="https://guichet.example.org/paiements/retour/2026000042A1/",
        )
    )


def test_a_payment_opens_with_the_documented_fields_and_sends_the_person_to_payfip(payfip):
    order = _open(payfip_connector(payfip))
    assert order.redirect_url == f"{payfip.payment_url}?idop={order.operation_id}"
    operation, fields = payfip.calls[-1]
    assert operation == "creerPaiementSecurise"
    assert fields["numcli"] == "123456" and fields["saisie"] == "T" and fields["exer"] == "2026"
    assert fields["montant"] == "1250" and fields["refdet"] == "2026000042A1"
    # PayFiP's objet takes letters, digits and spaces only.
    assert fields["objet"] == "Copie d acte de naissance n 2026 000042"


@pytest.mark.parametrize(
    ("code", "result"),
    [
        (PAID_CARD, PaymentResult.PAID),
        (PAID_DEBIT, PaymentResult.PAID),
        (REFUSED_CARD, PaymentResult.REFUSED),
        (REFUSED_DEBIT, PaymentResult.REFUSED),
        (CANCELLED, PaymentResult.CANCELLED),
    ],
)
def test_every_result_code_is_read(payfip, code, result):
    connector = payfip_connector(payfip)
    order = _open(connector)
    payfip.person_finishes(order.operation_id, code)
    detail = connector.payment_detail(order.operation_id)
    assert (detail.result, detail.code, detail.reference, detail.amount_cents) == (result, code, "2026000042A1", 1250)
    assert detail.test is True
    assert bool(detail.authorisation) == (result == PaymentResult.PAID)
    assert detail.paid_at is not None


def test_an_operation_still_open_waits_and_a_purged_one_has_expired(payfip):
    connector = payfip_connector(payfip)
    order = _open(connector)
    assert connector.payment_detail(order.operation_id).result == PaymentResult.WAITING
    payfip.purge()
    detail = connector.payment_detail(order.operation_id)
    assert (detail.result, detail.code) == (PaymentResult.EXPIRED, "P1")


def test_a_refused_request_says_why_and_an_outage_is_passing(payfip):
    connector = payfip_connector(payfip)
    with pytest.raises(ConnectorRejected, match="montant"):
        _open(connector, amount=50)  # below 1 €
    with pytest.raises(ConnectorRejected, match="référence"):
        _open(connector, reference="2026-000042")
    payfip.unavailable = 3
    with pytest.raises(ConnectorUnavailable):
        connector.payment_detail("inconnu")
    payfip.unavailable = 1  # one 503, then the answer: the read is retried
    assert connector.payment_detail("inconnu").result == PaymentResult.EXPIRED


def test_the_registry_picks_payfip_when_configured_and_checks_its_settings(payfip_settings, settings):
    assert isinstance(connector_for("payment"), PayfipPayment)
    settings.GUICHET_PAYFIP_SAISIE = "M"
    with pytest.raises(ConnectorNotConfigured, match="SAISIE"):
        connector_for("payment")
    settings.GUICHET_PAYFIP_NUMCLI = ""
    settings.GUICHET_PAYMENT_DUMMY = False
    with pytest.raises(ConnectorNotConfigured, match="Aucun service de paiement"):
        connector_for("payment")


def test_the_subject_keeps_what_payfip_accepts():
    assert payfip_subject("Location de la salle « Jean-Moulin » — 3 h") == "Location de la salle Jean Moulin 3 h"
    assert len(payfip_subject("x" * 300)) == 100
