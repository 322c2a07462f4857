"""The administrators' HubEE screens: subscribe (the secret never shown again), the mapping edited
row by row and checked in French, a procedure's transmission; another organisation's administrator
sees nothing of them. The dossier pages say where HubEE took a dossier, and its status there."""

import pytest
from django.urls import reverse

from guichet.exchanges.models import HubeeFieldMapping, HubeeSubscription, HubeeTransmission
from guichet.exchanges.receiving import hubee_poll
from tests.exchanges.conftest import DEFINITION, deposit
from tests.factories import OrganisationFactory, ProcedureFactory, UserFactory, instructor_of
from tests.webhooks.test_screens import administrator_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    return ProcedureFactory(organisation=OrganisationFactory(name="Mairie de Test"), draft_definition=DEFINITION)


@pytest.fixture
def admin(client, procedure):
    client.force_login(administrator_of(procedure.organisation))
    return client


def test_an_administrator_subscribes_then_maps_each_field(admin, procedure):
    data = {
        "organisation": procedure.organisation.pk,
        "process_code": "EtatCivil",
        "procedure": procedure.pk,
        "client_id": "etat-civil-si",
        "client_secret": "secret-tres-long",
        "data_attachment_type": "DEMANDE",
    }
    response = admin.post(reverse("hubee_admin:create"), data)
    subscription = HubeeSubscription.objects.get()
    assert response.url == reverse("hubee_admin:mappings", args=[subscription.pk])
    assert subscription.client_secret == "secret-tres-long"
    page = admin.get(reverse("hubee_admin:mappings", args=[subscription.pk])).content.decode()
    assert "Type d’acte" in page and 'name="source_type_acte"' in page and "secret-tres-long" not in page
    # A source that does not exist, and a file field given a value: refused, in French, nothing kept.
    wrong = {"source_nom": "applicant.lastName", "source_type_acte": "demande.type", "source_justificatif": "data.x"}
    page = admin.post(reverse("hubee_admin:mappings", args=[subscription.pk]), wrong).content.decode()
    assert "n’est pas une donnée HubEE connue" in page and "Un champ « fichier » se remplit" in page
    assert not HubeeFieldMapping.objects.exists()
    right = {"source_nom": "applicant.lastName", "source_type_acte": "data.demande.acte.type"}
    assert admin.post(reverse("hubee_admin:mappings", args=[subscription.pk]), right).status_code == 302
    assert dict(subscription.mappings.values_list("field_id", "source")) == {
        "nom": "applicant.lastName",
        "type_acte": "data.demande.acte.type",
    }
    detail = admin.get(reverse("hubee_admin:detail", args=[subscription.pk])).content.decode()
    assert "data.demande.acte.type" in detail and "secret-tres-long" not in detail
    assert "EtatCivil" in admin.get(reverse("hubee_admin:list")).content.decode()
    # Editing without a new secret keeps the one stored.
    edit = {"procedure": procedure.pk, "client_id": "etat-civil-si-2", "client_secret": "", "active": "on"}
    assert admin.post(reverse("hubee_admin:edit", args=[subscription.pk]), edit).status_code == 302
    subscription.refresh_from_db()
    assert (subscription.client_id, subscription.client_secret) == ("etat-civil-si-2", "secret-tres-long")


def test_a_procedure_transmits_its_dossiers(admin, procedure):
    url = reverse("hubee_admin:transmission", args=[procedure.slug])
    data = {
        "process_code": "depotDossierPACS",
        "recipient_siret": "1775",
        "recipient_branch_code": "75001",
        "client_id": "pacs-osl",
        "client_secret": "s",
        "active": "on",
    }
    assert "14 chiffres" in admin.post(url, data).content.decode()
    assert admin.post(url, {**data, "recipient_siret": "17750001500012"}).status_code == 302
    transmission = HubeeTransmission.objects.get(procedure=procedure)
    assert transmission.recipient_siret == "17750001500012" and transmission.client_secret == "s"
    assert "SIRET 17750001500012" in admin.get(reverse("hubee_admin:list")).content.decode()


def test_another_organisations_administrator_sees_nothing(client, procedure):
    other = OrganisationFactory()
    subscription = HubeeSubscription.objects.create(
        organisation=procedure.organisation,
        procedure=procedure,
        process_code="EtatCivil",
        client_id="c",
        client_secret="s",
        applicant_account=UserFactory(),
    )
    client.force_login(administrator_of(other))
    assert "EtatCivil" not in client.get(reverse("hubee_admin:list")).content.decode()
    assert client.get(reverse("hubee_admin:detail", args=[subscription.pk])).status_code == 404
    assert client.post(reverse("hubee_admin:mappings", args=[subscription.pk]), {}).status_code == 404
    assert client.get(reverse("hubee_admin:transmission", args=[procedure.slug])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("hubee_admin:list")).status_code == 403


def test_the_instructors_see_that_a_dossier_came_from_hubee(client, town_setup, django_capture_on_commit_callbacks):
    instructor = instructor_of(town_setup["procedure"])
    case = deposit(town_setup)
    with django_capture_on_commit_callbacks(execute=True):
        hubee_poll()
    dossier = town_setup["subscription"].cases.get().dossier
    client.force_login(instructor)
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert f"Dossier reçu par HubEE (télédossier {case['externalId']})" in page
    assert "Camille Martin" in page and "Reçu par l’administration destinataire" in page
