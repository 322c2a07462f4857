"""The Content-Security-Policy in Chromium: pages load, the DSFR and htmx work under it, and the
browser reports no violation (a blocked script, style or handler) on any of them."""

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from guichet.accounts.models import OrganisationRole
from guichet.observatory.models import IndicatorValue
from guichet.procedures.models import Procedure
from tests.factories import IndicatorFactory, ProcedureFactory, UserFactory
from tests.www.test_formengine import DEFINITION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Run by the browser before any page script, whatever the page's policy: each violation is kept.
LISTENER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with the policy violations it meets: reported by the page's event, or written by
    Chromium in the console."""
    reported: list[str] = []
    page.context.add_init_script(LISTENER)
    page.on(
        "console",
        lambda message: reported.append(message.text) if "Content Security Policy" in message.text else None,
    )

    def violations() -> list[str]:
        return reported + page.evaluate("() => window.__violations || []")

    page.violations = violations
    return page


def signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def test_pages_and_htmx_swaps_meet_no_policy_violation(live_server, watched):
    page = watched
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")  # the DSFR's script ran
    assert page.violations() == []
    page.goto(live_server.url + "/api/v1/docs")  # Swagger UI, from our static files
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    assert page.violations() == []
    page.goto(live_server.url + "/compte/connexion/")
    expect(page.get_by_label("Adresse électronique")).to_be_visible()
    assert page.violations() == []
    indicator = IndicatorFactory()
    for month, value in ((1, 40.0), (2, 55.0), (3, 70.0)):
        IndicatorValue.objects.create(indicator=indicator, date=date(2026, month, 1), value=value)
    page.goto(live_server.url + "/observatoire/barometre/")
    # DSFR Chart (a module from our static files) draws its chart.
    expect(page.locator("figure canvas").first).to_be_visible()
    assert page.violations() == []

    # The form engine's live updates: htmx swaps the fields (a condition, a formula).
    procedure = ProcedureFactory(draft_definition=DEFINITION, status=Procedure.Status.DRAFT)
    administrator = UserFactory()
    OrganisationRole.objects.create(
        user=administrator, organisation=procedure.organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    signed_in(page, live_server, administrator)
    page.goto(f"{live_server.url}/administration/demarches/{procedure.slug}/apercu/")
    expect(page.get_by_label("Nom du tuteur")).to_have_count(0)
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_text("Non", exact=True).click()
    expect(page.get_by_label("Nom du tuteur")).to_be_visible()
    expect(page.get_by_label("Non", exact=True)).to_be_focused()  # formengine.js kept the focus
    page.get_by_label("Montant demandé").fill("12,5")
    page.get_by_label("Montant demandé").press("Tab")
    expect(page.locator("#champ-double")).to_have_value("25\u00a0€")
    # htmx added no <style> of its own (its indicators' styles are turned off).
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    assert page.violations() == []
    page.goto(f"{live_server.url}/administration/demarches/{procedure.slug}/formulaire/")
    expect(page.locator(".guichet-framed").first).to_have_css("border-top-style", "solid")
    assert page.violations() == []

    # Django's admin, its list without actions (the one <style> it writes carries the nonce).
    signed_in(page, live_server, UserFactory(is_staff=True, is_superuser=True))
    for address in ("/admin/", "/admin/core/auditevent/", "/admin/dossiers/dossier/"):
        page.goto(live_server.url + address)
        expect(page.locator("#content")).to_be_visible()
    assert page.violations() == []
