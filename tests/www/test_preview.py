"""The builder's preview: who may open it, the working draft it shows, and the demo procedures."""

import random

import pytest
from django.urls import reverse

from guichet.accounts.models import OrganisationRole
from guichet.demo.answers import fake_answers
from guichet.procedures.models import Procedure
from tests.factories import SIMPLE_DEFINITION, OrganisationFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


def administrator_of(organisation):
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return user


def preview_urls(procedure) -> list[str]:
    return [
        reverse("admin_procedures:preview", args=[procedure.slug]),
        reverse("admin_procedures:preview_page", args=[procedure.slug, 1]),
        reverse("admin_procedures:preview_summary", args=[procedure.slug]),
    ]


def test_anonymous_people_are_sent_to_sign_in(client):
    procedure = ProcedureFactory()
    for url in [*preview_urls(procedure), reverse("admin_procedures:preview_reset", args=[procedure.slug])]:
        response = client.post(url) if url.endswith("recommencer/") else client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_an_administrator_of_another_organisation_gets_a_404(client):
    procedure = ProcedureFactory()
    client.force_login(administrator_of(OrganisationFactory()))
    for url in preview_urls(procedure):
        assert client.get(url).status_code == 404, url
    assert client.post(preview_urls(procedure)[1], {"objet": "Intrusion"}).status_code == 404
    assert client.post(reverse("admin_procedures:preview_reset", args=[procedure.slug])).status_code == 404


def test_the_preview_shows_the_working_draft_not_the_published_version(client):
    procedure = ProcedureFactory()  # published with SIMPLE_DEFINITION
    procedure.draft_definition = {
        "pages": [{"id": "demande", "title": "Votre demande", "fields": [
            {"id": "objet", "type": "text", "label": "Objet de la demande (nouvelle formulation)"},
        ]}]
    }  # fmt: skip
    procedure.save()
    client.force_login(administrator_of(procedure.organisation))
    html = client.get(preview_urls(procedure)[0]).content.decode()
    assert "Objet de la demande (nouvelle formulation)" in html
    assert "Aperçu : les réponses ne sont pas enregistrées comme un dossier" in html


def test_an_invalid_draft_shows_its_located_errors(client):
    broken = {"pages": [{"id": "demande", "title": "Votre demande", "fields": [
        {"id": "objet", "type": "text", "label": "Objet", "condition": {"all": [
            {"field": "inconnu", "op": "eq", "value": 1},
        ]}},
    ]}]}  # fmt: skip
    procedure = ProcedureFactory(draft_definition=broken, status=Procedure.Status.DRAFT)
    client.force_login(administrator_of(procedure.organisation))
    for url in preview_urls(procedure):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Le formulaire en cours de rédaction ne peut pas être affiché" in html
        assert "<code>pages[0].fields[0].condition</code> : la condition porte sur « inconnu »" in html


def test_starting_again_clears_the_answers(client):
    procedure = ProcedureFactory(draft_definition=SIMPLE_DEFINITION)
    client.force_login(administrator_of(procedure.organisation))
    page = reverse("admin_procedures:preview_page", args=[procedure.slug, 1])
    client.post(page, {"objet": "Une demande d’essai"})
    assert 'value="Une demande d’essai"' in client.get(page).content.decode()

    assert client.get(reverse("admin_procedures:preview_reset", args=[procedure.slug])).status_code == 405
    response = client.post(reverse("admin_procedures:preview_reset", args=[procedure.slug]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin_procedures:preview", args=[procedure.slug])
    assert "Les réponses de l’aperçu sont effacées" in response.content.decode()
    assert 'value="Une demande d’essai"' not in response.content.decode()


def test_a_page_number_out_of_range_leads_to_an_existing_page(client):
    procedure = ProcedureFactory(draft_definition=SIMPLE_DEFINITION)
    client.force_login(administrator_of(procedure.organisation))
    response = client.get(reverse("admin_procedures:preview_page", args=[procedure.slug, 9]))
    assert response["Location"] == reverse("admin_procedures:preview_page", args=[procedure.slug, 1])


def test_every_demo_procedure_renders_every_page_and_its_summary(client, demo):
    client.force_login(UserFactory(is_superuser=True))
    for procedure in Procedure.objects.all():
        # Empty first, then with realistic answers, so that every widget and summary line is drawn.
        for answers in ({}, fake_answers(procedure.draft_definition, random.Random(procedure.pk))):  # noqa: S311
            session = client.session
            session[f"apercu-{procedure.pk}"] = answers
            session.save()
            number = 1
            while True:
                response = client.get(reverse("admin_procedures:preview_page", args=[procedure.slug, number]))
                if response.status_code == 302:
                    break
                assert response.status_code == 200 and "fr-stepper" in response.content.decode(), procedure.slug
                number += 1
            assert number > 2, procedure.slug
            response = client.get(reverse("admin_procedures:preview_summary", args=[procedure.slug]))
            assert response.status_code == 200
            html = response.content.decode()
            assert html.count('class="fr-link fr-icon-edit-line') == number - 1
            if answers:
                assert "Votre demande ne peut pas être déposée" not in html  # fake answers are eligible


def test_the_preview_reloads_itself_when_the_working_form_changes(client):
    from guichet.procedures.services import procedure_definition_save

    procedure = ProcedureFactory(status="draft")
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=procedure.organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    client.force_login(user)
    changed = reverse("admin_procedures:preview_changed", args=[procedure.slug])
    assert (
        f'hx-get="{changed}?revision=0"'
        in client.get(reverse("admin_procedures:preview", args=[procedure.slug])).content.decode()
    )
    assert "HX-Refresh" not in client.get(changed, {"revision": "0"}).headers
    procedure_definition_save(
        actor=user, procedure=procedure, definition=procedure.draft_definition, revision=0, change="test"
    )
    response = client.get(changed, {"revision": "0"})
    assert response.status_code == 204 and response.headers["HX-Refresh"] == "true"
