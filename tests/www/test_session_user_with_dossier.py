"""The pages of a dossier read the session's user with the dossier, in one query (www/usager/access.py):
the session is still checked with that user exactly as Django checks a user read on its own."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from guichet.accounts.backends import PasswordBackend
from guichet.accounts.models import FranceConnectIdentity
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_with_session_user
from guichet.procedures.models import InstructorMembership
from guichet.www.usager.access import PENDING_KEY
from tests.factories import DossierFactory, ProcedureFactory, UserFactory

from .test_usager import DEFINITION, page_url, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    return ProcedureFactory(draft_definition=DEFINITION, processing_days=30)


def dossier_urls(draft: Dossier, filed: Dossier) -> list[str]:
    return [
        page_url(draft, 1),
        reverse("usager:dossier_summary", args=[draft.pk]),
        reverse("usager:dossier_detail", args=[filed.pk]),
        reverse("usager:dossier_submitted", args=[filed.pk]),
        reverse("usager:dossier_pdf", args=[filed.pk]),
    ]


def test_a_password_changed_elsewhere_closes_the_session_on_the_pages_of_a_dossier(client, procedure):
    applicant = UserFactory()
    client.force_login(applicant)
    draft = start(client, procedure)
    filed = DossierFactory(applicant=applicant, submitted=True)
    assert all(client.get(url).status_code == 200 for url in dossier_urls(draft, filed)[1:])

    applicant.set_password("un-autre-mot-de-passe-2026")  # changed in another session
    applicant.save()
    login = reverse("accounts:login")
    response = client.post(page_url(draft, 1), {"objet": "Envoyé après le changement", "urgent": "false"})
    assert response.status_code == 302 and response["Location"] == f"{login}?next={page_url(draft, 1)}"
    assert SESSION_KEY not in client.session  # the session was closed, as Django closes it
    # What the page sent is kept for after the sign-in, not saved by a session that no longer holds.
    assert client.session[PENDING_KEY]["path"] == page_url(draft, 1)
    draft.refresh_from_db()
    assert draft.answers == {}
    client.force_login(applicant)
    applicant.set_password("encore-un-autre-2026")
    applicant.save()
    for url in dossier_urls(draft, filed):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url


def test_a_deactivated_account_is_signed_out_of_the_pages_of_its_dossiers(client, procedure):
    applicant = UserFactory()
    client.force_login(applicant)
    draft = start(client, procedure)
    filed = DossierFactory(applicant=applicant, submitted=True)
    applicant.is_active = False
    applicant.save()
    for url in dossier_urls(draft, filed):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_the_user_read_with_the_dossier_is_the_user_the_session_reads_alone():
    applicant = UserFactory()
    FranceConnectIdentity.objects.create(user=applicant, sub="fc-sub-1", given_name="Camille", family_name="Martin")
    procedure = ProcedureFactory()
    InstructorMembership.objects.create(group=procedure.instructor_groups.get(is_default=True), user=applicant)
    dossier = DossierFactory(applicant=applicant, procedure=procedure)

    alone = PasswordBackend().get_user(applicant.pk)
    for variant in ({}, {"with_opinion": True}):
        with_dossier = dossier_with_session_user(applicant.pk, dossier.pk, **variant).applicant
        assert with_dossier.__dict__.keys() - {"_state"} == alone.__dict__.keys() - {"_state"}
        assert {key: value for key, value in with_dossier.__dict__.items() if key != "_state"} == {
            key: value for key, value in alone.__dict__.items() if key != "_state"
        }
        assert with_dossier.roles_instructor and not with_dossier.roles_expert
        assert with_dossier.franceconnect_identity.sub == "fc-sub-1"
    with pytest.raises(Dossier.DoesNotExist):
        dossier_with_session_user(UserFactory().pk, dossier.pk)


def test_the_header_knows_the_roles_of_a_user_read_with_the_dossier(client, procedure):
    applicant = UserFactory()
    client.force_login(applicant)
    draft = start(client, procedure)
    InstructorMembership.objects.create(group=procedure.instructor_groups.get(is_default=True), user=applicant)
    page = client.get(page_url(draft, 1)).content.decode()
    assert reverse("agent:procedures") in page  # the header links to the agent's space
