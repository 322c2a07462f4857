"""An error answered to a request that a page's script sent (htmx) is shown in the page, in the
words of the server's French error page: a dossier page saving itself with a NUL in an answer showed
nothing before (guichet/core/static/guichet/request_errors.js)."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.factories import DossierFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_character_in_a_live_save_is_shown_next_to_the_answer_then_cleared(live_server, page):
    applicant = UserFactory()
    draft = DossierFactory(applicant=applicant)
    client = Client()
    client.force_login(applicant)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/mes-dossiers/{draft.pk}/page/1/")

    field = page.get_by_label("Objet de la demande")
    # A paste from another program: no keyboard types a NUL.
    field.evaluate(
        "(input) => { input.value = 'Copie\\u0000 d’acte'; input.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Caractères non acceptés")
    expect(alert).to_contain_text("Retapez le texte concerné")
    expect(alert).not_to_contain_text("page précédente")
    # Shown beside the answer, not at the top of a long page.
    assert (
        page.locator(".fr-input-group:has(#" + field.get_attribute("id") + ")").evaluate(
            "(group) => group.previousElementSibling.getAttribute('role')"
        )
        == "alert"
    )
    draft.refresh_from_db()
    assert draft.answers == {"objet": "Une demande"}

    field.fill("Copie d’acte")
    field.press("Tab")
    expect(page.get_by_role("alert")).to_have_count(0)
    draft.refresh_from_db()
    assert draft.answers["objet"] == "Copie d’acte"


def test_a_server_that_cannot_be_reached_is_said(live_server, page):
    applicant = UserFactory()
    draft = DossierFactory(applicant=applicant)
    client = Client()
    client.force_login(applicant)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/mes-dossiers/{draft.pk}/page/1/")
    page.route("**/page/1/", lambda route: route.abort())
    page.get_by_label("Objet de la demande").fill("Copie d’acte")
    page.get_by_label("Objet de la demande").press("Tab")
    expect(page.get_by_role("alert")).to_contain_text("Le service n’a pas pu être joint")
