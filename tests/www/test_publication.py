"""Issue 16: publishing a procedure asks for a confirmation that lists what blocks it and what is
worth checking (processing deadline, instructors, acts, contact), and works without JavaScript."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guichet.accounts.models import OrganisationRole
from guichet.documents.models import ActTemplate
from guichet.dossiers.models import ActKind
from guichet.procedures.models import InstructorMembership, Procedure
from guichet.procedures.readiness import procedure_publication_checks
from guichet.procedures.services import procedure_publish
from tests.factories import OrganisationFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db

EMPTY_FORM = {"pages": [{"id": "demande", "title": "Votre demande", "fields": []}]}


@pytest.fixture
def admin(client):
    user = UserFactory(email="admin@exemple.fr")
    client.force_login(user)
    client.user = user
    return client


def draft(admin, **kwargs) -> Procedure:
    organisation = kwargs.pop("organisation", None) or OrganisationFactory(street_address="", postcode="", city="")
    OrganisationRole.objects.get_or_create(
        user=admin.user, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return ProcedureFactory(organisation=organisation, status=Procedure.Status.DRAFT, **kwargs)


def publish_url(procedure) -> str:
    return reverse("admin_procedures:publish", args=[procedure.slug])


def test_the_overview_leads_to_a_confirmation_step_that_lists_what_to_check(admin):
    procedure = draft(admin, processing_days=None)

    overview = admin.get(reverse("admin_procedures:overview", args=[procedure.slug])).content.decode()
    assert f'href="{publish_url(procedure)}"' in overview

    page = admin.get(publish_url(procedure))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Aucun délai d’instruction n’est fixé" in html
    assert f'href="{reverse("admin_procedures:settings", args=[procedure.slug])}"' in html
    assert "Aucun instructeur n’est désigné" in html
    assert "utiliseront le texte par défaut" in html
    assert "L’adresse postale de" in html
    assert "Publier quand même" in html and 'name="confirmation" value="oui"' in html
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.DRAFT


def test_a_post_without_the_confirmation_publishes_nothing(admin):
    procedure = draft(admin)
    response = admin.post(publish_url(procedure))
    assert response.status_code == 200 and "À vérifier" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.DRAFT and not procedure.versions.exists()


def test_confirming_publishes(admin):
    procedure = draft(admin)
    response = admin.post(publish_url(procedure), {"confirmation": "oui"}, follow=True)
    assert "La démarche est publiée" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.PUBLISHED and procedure.versions.count() == 1


def test_an_empty_form_blocks_the_publication_on_the_screen_and_in_the_service(admin):
    procedure = draft(admin, draft_definition=EMPTY_FORM)

    html = admin.get(publish_url(procedure)).content.decode()
    assert "À corriger avant de publier" in html and "Le formulaire ne contient aucune question." in html
    assert 'name="confirmation"' not in html
    admin.post(publish_url(procedure), {"confirmation": "oui"})
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.DRAFT
    with pytest.raises(ValidationError, match="aucune question"):
        procedure_publish(actor=admin.user, procedure=procedure)


def test_a_ready_procedure_has_nothing_to_check(admin):
    organisation = OrganisationFactory(street_address="1 place de la Mairie", postcode="75001", city="Paris")
    procedure = draft(
        admin,
        organisation=organisation,
        processing_days=30,
        description="Pour planter des arbres.",
        archival_agreement="IC-000001",
    )
    group = procedure.instructor_groups.get(is_default=True)
    InstructorMembership.objects.create(group=group, user=UserFactory())
    for kind in ActKind:
        ActTemplate.objects.create(
            procedure=procedure, kind=kind, title=str(kind.label), body="Texte.", signatory_name="La maire"
        )

    assert procedure_publication_checks(procedure) == []
    html = admin.get(publish_url(procedure)).content.decode()
    assert "Tout est prêt" in html and "Confirmer la publication" in html


def test_a_group_without_instructors_is_named(admin):
    procedure = draft(admin)
    InstructorMembership.objects.create(group=procedure.instructor_groups.get(), user=UserFactory())
    procedure.instructor_groups.create(name="Secteur nord")
    messages = [check.message for check in procedure_publication_checks(procedure)]
    assert "Le groupe instructeur « Secteur nord » n’a aucun membre : ses dossiers ne seront traités par personne." in (
        messages
    )


def test_a_procedure_to_be_transferred_without_an_archival_agreement_is_named(admin):
    procedure = draft(admin, final_fate="trier", archival_agreement="")
    html = admin.get(publish_url(procedure)).content.decode()
    assert "aucun contrat d’entrée" in html
    assert reverse("admin_procedures:retention", args=[procedure.slug]) in html
