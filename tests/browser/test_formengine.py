"""The form engine's live updates in a real browser: htmx refreshes the fields, the focus stays put."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from guichet.accounts.models import OrganisationRole
from guichet.procedures.models import Procedure
from tests.factories import ProcedureFactory, UserFactory
from tests.www.test_formengine import DEFINITION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answers_update_the_page_live_and_errors_take_the_focus(live_server, page):
    procedure = ProcedureFactory(draft_definition=DEFINITION, status=Procedure.Status.DRAFT)
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=procedure.organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])

    page.goto(f"{live_server.url}/administration/demarches/{procedure.slug}/apercu/")
    expect(page.get_by_label("Nom du tuteur")).to_have_count(0)
    page.get_by_text("Non", exact=True).click()  # the DSFR draws the radio on its label
    expect(page.get_by_label("Nom du tuteur")).to_be_visible()  # the condition, evaluated on the server
    expect(page.get_by_label("Non", exact=True)).to_be_focused()  # the swap kept the focus
    expect(page.get_by_text("Ce champ est obligatoire")).to_have_count(0)

    page.get_by_label("Montant demandé").fill("12,5")
    page.get_by_label("Montant demandé").press("Tab")
    expect(page.locator("#champ-double")).to_have_value("25\u00a0€")

    page.get_by_role("button", name="Suivant").click()
    summary = page.locator("#formengine-erreurs")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Nom : Ce champ est obligatoire.")).to_be_visible()

    # The Enter key means "Suivant", even where "Ajouter une ligne" comes first in the page.
    page.goto(f"{live_server.url}/administration/demarches/{procedure.slug}/apercu/page/2/")
    page.get_by_label("Section").fill("AB")
    page.get_by_label("Section").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif")
