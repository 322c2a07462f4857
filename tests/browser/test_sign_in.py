import pytest
from playwright.sync_api import expect

from guichet.demo.loader import APPLICANTS, DEMO_PASSWORD
from guichet.demo.procedures import PROCEDURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_applicant_finds_the_procedures_signs_in_and_out(live_server, page, demo):
    applicant = APPLICANTS[0]

    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Faire une démarche en ligne")
    for procedure in PROCEDURES:
        expect(page.get_by_role("link", name=procedure.title)).to_be_visible()

    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse électronique").fill(applicant.email)
    page.get_by_label("Mot de passe", exact=False).first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("connected-user")).to_have_text(f"{applicant.first_name} {applicant.last_name}")

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_test_id("connected-user")).to_have_count(0)
