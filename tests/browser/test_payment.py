"""An applicant pays a fee before filing, in Chromium: the summary's button, the payment service
(the demonstration's dummy page, standing for PayFiP), the return to a filed dossier and its
quittance; every page audited by axe-core."""

import pytest
from playwright.sync_api import expect

from guichet.dossiers.models import DossierState
from guichet.payments.models import Payment, PaymentStatus
from tests.factories import DossierFactory, ProcedureFactory
from tests.payments.conftest import fee_definition

from .axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_applicant_pays_then_the_dossier_is_filed(live_server, page, settings):
    settings.GUICHET_SITE_URL = live_server.url
    settings.GUICHET_PAYMENT_DUMMY = True
    settings.GUICHET_PAYFIP_NUMCLI = ""
    procedure = ProcedureFactory(draft_definition=fee_definition(), title="Copie d’acte d’état civil")
    dossier = DossierFactory(procedure=procedure)
    audited: list[str] = []

    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(dossier.applicant.email)
    page.get_by_label("Mot de passe", exact=False).first.fill("mot-de-passe-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/mes-dossiers/{dossier.pk}/recapitulatif/")
    expect(page.get_by_text("12,50\u00a0€ de frais, à payer en ligne")).to_be_visible()
    assert_accessible(page, audited)
    page.get_by_role("button", name="Payer 12,50\u00a0€ et déposer le dossier").click()

    expect(page.get_by_role("heading", name="Service de paiement de démonstration")).to_be_visible()
    assert_accessible(page, audited)
    page.get_by_role("button", name="Abandonner").click()
    expect(page.get_by_text("Vous avez abandonné le paiement")).to_be_visible()
    assert_accessible(page, audited)
    page.get_by_role("button", name="Payer 12,50\u00a0€ en ligne").click()
    page.get_by_role("button", name="Payer", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("est déposé")
    assert_accessible(page, audited)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    statuses = sorted(Payment.objects.filter(dossier=dossier).values_list("status", flat=True))
    assert statuses == [PaymentStatus.CANCELLED, PaymentStatus.PAID]
    assert len(audited) == 4
