"""Chorus Pro through PISTE, against the stand-in: authentication and its renewal, a deposit and
the follow-up of its report and of the invoice's status, and the errors that are told apart."""

import pytest

from guichet.connectors.base import (
    ConnectorOutcomeUnknown,
    ConnectorRejected,
    ConnectorUnavailable,
    FlowState,
)
from tests.connectors.chorus_pro.conftest import chorus_connector
from tests.connectors.chorus_pro.samples import BUYER, facturx_pdf
from tests.connectors.chorus_pro.stand_in import NORMAL, SLOW, UNAVAILABLE


def test_a_deposited_invoice_is_integrated_then_followed_to_its_payment(chorus):
    connector = chorus_connector(chorus)
    flow = connector.deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    assert chorus.deposits == ["FAC-2026-000001"]
    assert connector.flow_report(flow).state == FlowState.PENDING
    report = connector.flow_report(flow)
    assert (report.state, report.code, report.reasons) == (FlowState.INTEGRATED, "IN_INTEGRE", ())

    progress = connector.invoice_progress(flow_number=flow)
    assert progress.status == "MISE_A_DISPOSITION"
    chorus.invoice_status_set("FAC-2026-000001", "MISE_EN_PAIEMENT")
    paid = connector.invoice_progress(flow_number=flow, invoice_id=progress.invoice_id)
    assert (paid.invoice_id, paid.status) == (progress.invoice_id, "MISE_EN_PAIEMENT")
    # One token served every call.
    assert chorus.tokens_issued == 1


def test_a_rejected_deposit_gives_chorus_pros_reasons(chorus):
    chorus.known_sirets = {"11111111111111"}
    chorus.polls_before_integrated = 0
    connector = chorus_connector(chorus)
    flow = connector.deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    report = connector.flow_report(flow)
    assert (report.state, report.code) == (FlowState.REJECTED, "IN_REJETE")
    assert report.reasons == (
        f"Le destinataire {BUYER['siret']} n’est pas une structure active de l’annuaire Chorus Pro.",
    )
    assert connector.invoice_progress(flow_number=flow) is None


def test_an_invoice_rejected_by_the_company_carries_its_comment(chorus):
    chorus.polls_before_integrated = 0
    connector = chorus_connector(chorus)
    flow = connector.deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    connector.flow_report(flow)
    chorus.invoice_status_set("FAC-2026-000001", "REJETEE", "Numéro d’engagement absent")
    progress = connector.invoice_progress(flow_number=flow)
    assert (progress.status, progress.reasons) == ("REJETEE", ("Numéro d’engagement absent",))


def test_an_expired_token_is_renewed_once_and_the_call_goes_through(chorus):
    connector = chorus_connector(chorus)
    flow = connector.deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    chorus.tokens_expire()
    assert connector.flow_report(flow).state == FlowState.PENDING
    assert chorus.tokens_issued == 2


def test_a_token_close_to_its_expiry_is_renewed_before_use(chorus):
    chorus.token_lifetime = 200  # less than the 240 s kept in hand
    connector = chorus_connector(chorus)
    flow = connector.deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    connector.flow_report(flow)
    assert chorus.tokens_issued == 2


def test_wrong_credentials_wait_for_the_settings_to_be_fixed(chorus):
    with pytest.raises(ConnectorUnavailable, match="refuse l’application"):
        chorus_connector(chorus, client_secret="faux").deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    with pytest.raises(ConnectorUnavailable, match="compte technique"):
        chorus_connector(chorus, password="faux").deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    assert chorus.deposits == []


def test_a_busy_platform_is_tried_again(chorus):
    chorus.script = [UNAVAILABLE, UNAVAILABLE]
    flow = chorus_connector(chorus, attempts=3).deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    assert flow in chorus.flows


def test_a_deposit_without_answer_is_not_sent_again(chorus):
    chorus.script = [NORMAL, SLOW]  # the token comes, the deposit's answer does not
    with pytest.raises(ConnectorOutcomeUnknown):
        chorus_connector(chorus, timeout=0.3, attempts=3).deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    assert chorus.deposits == ["FAC-2026-000001"]  # received once, never twice


def test_a_file_chorus_pro_cannot_take_is_refused_before_it_leaves(chorus):
    connector = chorus_connector(chorus)
    with pytest.raises(ConnectorRejected, match="nom de fichier"):
        connector.deposit(pdf=facturx_pdf(), file_name="x" * 60 + ".pdf")
    assert chorus.deposits == []


def test_a_wrong_address_is_a_setting_to_fix_not_a_rejected_invoice(chorus):
    """An invoice is « rejetée » only for what Chorus Pro says of it: an address that is not the
    API's (404) leaves it waiting, and nothing was deposited."""
    connector = chorus_connector(chorus)
    wrong = type(connector)(**{**connector.__dict__, "url": f"{chorus.url}/mauvais-chemin"})
    with pytest.raises(ConnectorUnavailable, match="GUICHET_CHORUS_PRO_URL"):
        wrong.deposit(pdf=facturx_pdf(), file_name="FAC-2026-000001.pdf")
    assert chorus.deposits == []
