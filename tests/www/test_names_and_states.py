"""Issue 16: every person has a name on every screen, and every state a word applicants understand."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import FranceConnectIdentity, User
from guichet.accounts.names import identity_display_name, person_display_name, user_display_name, user_needs_name
from guichet.documents.content import dossier_context
from guichet.dossiers.models import Dossier, DossierState
from guichet.procedures.selectors import version_form
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db


def test_the_display_name_of_a_person_is_never_empty():
    assert person_display_name(given_name="Camille", family_name="Martin") == "Camille Martin"
    assert person_display_name(family_name="Martin ") == "Martin"
    assert person_display_name(email="c@exemple.fr") == "c@exemple.fr"
    assert person_display_name() == "Personne non identifiée"
    assert identity_display_name(None) == "Personne non identifiée"
    assert identity_display_name({"given_name": "", "family_name": "", "email": "x@exemple.fr"}) == "x@exemple.fr"
    assert user_display_name(UserFactory.build(first_name="", last_name="", email="y@exemple.fr")) == "y@exemple.fr"
    assert str(UserFactory.build(first_name="Léa", last_name="Roux")) == "Léa Roux"


def test_signing_up_asks_the_first_and_last_names_in_french(client):
    page = client.get(reverse("accounts:signup")).content.decode()
    assert 'autocomplete="given-name"' in page and 'autocomplete="family-name"' in page

    response = client.post(
        reverse("accounts:signup"),
        {"email": "a@exemple.fr", "password1": "Un-mot-de-passe-2026", "password2": "Un-mot-de-passe-2026"},
    )

    html = response.content.decode()
    assert "Indiquez votre prénom." in html and "Indiquez votre nom." in html
    assert not User.objects.exists()


def test_signing_up_keeps_the_names(client, django_capture_on_commit_callbacks):
    data = {
        "first_name": " Camille ",
        "last_name": "Martin",
        "email": "camille@exemple.fr",
        "password1": "Un-mot-de-passe-2026",
        "password2": "Un-mot-de-passe-2026",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), data)
    user = User.objects.get(email="camille@exemple.fr")
    assert (user.first_name, user.last_name) == ("Camille", "Martin")


def test_an_account_without_a_name_gives_one_before_its_first_dossier(client):
    procedure = ProcedureFactory(slug="permis")
    user = UserFactory(first_name="", last_name="")
    assert user_needs_name(user)
    client.force_login(user)

    response = client.post(reverse("usager:dossier_start", args=["permis"]), {"cle": str(uuid.uuid4())})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile") + "?next=%2Fdemarches%2Fpermis%2F"
    assert not Dossier.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "indiquez votre prénom et votre nom" in page
    assert 'name="next" value="/demarches/permis/"' in page
    # Both names are required.
    refused = client.post(
        response["Location"], {"first_name": "Camille", "last_name": "", "next": "/demarches/permis/"}
    )
    assert "Indiquez votre nom." in refused.content.decode()

    saved = client.post(
        reverse("accounts:profile"), {"first_name": "Camille", "last_name": "Martin", "next": "/demarches/permis/"}
    )

    assert saved["Location"] == "/demarches/permis/"
    client.post(reverse("usager:dossier_start", args=["permis"]), {"cle": str(uuid.uuid4())})
    assert Dossier.objects.filter(procedure=procedure, applicant=user).exists()


def test_a_franceconnect_account_is_never_asked_its_name():
    user = UserFactory(first_name="", last_name="")
    FranceConnectIdentity.objects.create(
        user=user, sub="abc", given_name="Marie", family_name="DUBOIS", signed_in_at=timezone.now()
    )
    user = User.objects.get(pk=user.pk)
    assert not user_needs_name(user)


def test_a_dossier_without_names_shows_no_empty_identity(client):
    procedure = ProcedureFactory()
    instructor = instructor_of(procedure)
    dossier = DossierFactory(procedure=procedure, submitted=True)
    Dossier.objects.filter(pk=dossier.pk).update(
        identity={"given_name": "", "family_name": "", "email": "anonyme@exemple.fr", "certified_by": ""}
    )
    dossier.refresh_from_db()
    client.force_login(instructor)

    listing = client.get(reverse("agent:dossier_list", args=[procedure.slug])).content.decode()
    detail = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()

    assert "<td>anonyme@exemple.fr</td>" in listing and "<td> </td>" not in listing
    assert 'data-testid="family_name">non renseigné<' in detail
    assert 'data-testid="given_name">non renseigné<' in detail
    context = dossier_context(
        dossier=dossier,
        form=version_form(dossier.version_id),
        answers={},
        transition=None,
        signatory_name="",
        signatory_title="",
        now=dossier.submitted_at,
    )
    assert context["usager"]["nom_complet"] == "anonyme@exemple.fr"


def test_a_filed_dossier_reads_deposited_everywhere(client):
    procedure = ProcedureFactory()
    instructor = instructor_of(procedure)
    dossier = DossierFactory(procedure=procedure, submitted=True)
    assert dossier.get_state_display() == "Déposé"
    assert DossierState.SUBMITTED.label == "Déposé"

    client.force_login(dossier.applicant)
    mine = client.get(reverse("usager:my_dossiers")).content.decode()
    detail = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    client.force_login(instructor)
    listing = client.get(reverse("agent:dossier_list", args=[procedure.slug])).content.decode()

    for html in (mine, detail, listing):
        assert "Déposé" in html
        assert "construction" not in html.lower()
