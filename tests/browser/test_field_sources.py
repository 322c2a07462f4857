"""« Vérifier le SIRET » in a real browser: with htmx, only the fields come back, filled and certified."""

import uuid

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from guichet.dossiers.models import Dossier
from tests.connectors.api_entreprise.stand_in import stand_in_api_entreprise
from tests.factories import ProcedureFactory, UserFactory
from tests.www.test_field_sources import DEFINITION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_siret_check_fills_the_fields_in_place(live_server, page, settings):
    procedure = ProcedureFactory(draft_definition=DEFINITION)
    applicant = UserFactory()
    client = Client()
    client.force_login(applicant)
    client.post(reverse("usager:dossier_start", args=[procedure.slug]), {"cle": str(uuid.uuid4())})
    dossier = Dossier.objects.get(applicant=applicant)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    with stand_in_api_entreprise() as api:
        settings.GUICHET_API_ENTREPRISE_URL, settings.GUICHET_API_ENTREPRISE_TOKEN = api.url, api.token
        page.goto(live_server.url + reverse("usager:dossier_page", args=[dossier.pk, 1]))
        page.get_by_label("Numéro SIRET").fill("123 456 709 00013")
        page.get_by_role("button", name="Vérifier le SIRET").click()
        expect(page.get_by_text("BOULANGERIE DES TROIS MOULINS")).to_be_visible()
        expect(page.get_by_role("status").filter(has_text="récupérées auprès d’API Entreprise")).to_be_visible()
        assert "#" not in page.url  # the fields were swapped in place, no page load
        expect(page.get_by_label("Raison sociale")).to_have_count(0)  # shown, no longer an input
