"""A session that comes to need a second factor it never passed (opened before the second factor
existed, or an applicant's made an instructor since) is closed and its person sent to pass it, then
back to the page they asked for; sessions opened through the second factor are never troubled."""

import pyotp
import pytest
from django.urls import reverse

from guichet.accounts.models import TOTPDevice
from guichet.procedures.models import InstructorMembership
from guichet.www.accounts.assurance import SESSION_ASSURANCE
from tests.factories import ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db


def unassured(client, user):
    """A session opened without the second factor (as by a sign-in before it existed)."""
    client.force_login(user)
    session = client.session
    del session[SESSION_ASSURANCE]
    session.save()


def signed_in_as(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def test_an_agent_session_that_never_passed_a_second_factor_is_sent_to_pass_it_then_back(client):
    agent = instructor_of(ProcedureFactory())
    totp = pyotp.TOTP(TOTPDevice.objects.create(user=agent, secret=pyotp.random_base32()).secret)
    unassured(client, agent)
    wanted = reverse("agent:procedures")

    response = client.get(wanted)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:second_factor")
    assert not signed_in_as(client, agent)  # the session is closed until the code is given

    response = client.post(reverse("accounts:second_factor"), {"code": totp.now()})
    assert response.status_code == 302 and response["Location"] == wanted
    assert signed_in_as(client, agent)
    assert client.get(wanted).status_code == 200


def test_an_agent_without_any_factor_yet_is_sent_to_enrol_one(client):
    agent = instructor_of(ProcedureFactory())
    unassured(client, agent)
    response = client.get(reverse("agent:procedures"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:second_factor_setup")
    assert not signed_in_as(client, agent)


def test_an_applicant_made_instructor_meets_the_second_factor_at_the_next_check(client, monkeypatch):
    applicant = UserFactory()
    unassured(client, applicant)
    assert client.get(reverse("usager:my_dossiers")).status_code == 200  # no second factor asked
    procedure = ProcedureFactory()
    InstructorMembership.objects.create(group=procedure.instructor_groups.get(is_default=True), user=applicant)
    # Checked again every few minutes, not at every page.
    assert client.get(reverse("usager:my_dossiers")).status_code == 200
    monkeypatch.setattr("guichet.www.accounts.assurance.CHECK_EVERY_SECONDS", 0)
    response = client.get(reverse("usager:my_dossiers"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:second_factor_setup")


def test_an_htmx_request_is_redirected_by_htmx(client):
    agent = instructor_of(ProcedureFactory())
    unassured(client, agent)
    response = client.get(reverse("agent:procedures"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("accounts:second_factor_setup")


def test_a_session_opened_through_the_second_factor_is_not_checked_again(client):
    agent = instructor_of(ProcedureFactory())
    client.force_login(agent)  # marked as through the second factor (tests/conftest.py)
    assert client.get(reverse("agent:procedures")).status_code == 200
