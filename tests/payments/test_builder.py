"""Administrators set a procedure's fee in the builder: lines, moment, payer and revenue account;
mistakes are named and nothing is saved."""

import pytest
from django.urls import reverse

from guichet.accounts.models import OrganisationRole
from guichet.procedures.definition import definition_validate
from guichet.procedures.exchange import procedure_export
from guichet.procedures.models import Procedure
from tests.factories import OrganisationFactory, ProcedureFactory, UserFactory
from tests.payments.conftest import fee_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(client):
    user = UserFactory()
    organisation = OrganisationFactory()
    OrganisationRole.objects.create(
        user=user, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    client.force_login(user)
    return ProcedureFactory(organisation=organisation, status=Procedure.Status.DRAFT)


def _post(client, procedure, **values):
    data = {
        "revision": procedure.draft_revision,
        "kind": "fixed",
        "moment": "before_filing",
        "payer": "applicant",
        "payer_siret_field": "",
        "revenue_account": "7068",
        "revenue_label": "Droits de place",
        "ligne-TOTAL_FORMS": "2",
        "ligne-INITIAL_FORMS": "0",
        "ligne-0-label": "Emplacement",
        "ligne-0-unit_price": "12,50",
        "ligne-0-quantity": "2",
        "ligne-0-vat_rate": "0",
        "ligne-1-label": "",
        "ligne-1-unit_price": "",
        "ligne-1-quantity": "1",
        "ligne-1-vat_rate": "0",
        **values,
    }
    return client.post(reverse("admin_procedures:fee", args=[procedure.slug]), data, follow=True)


def test_an_administrator_sets_a_fixed_fee_published_with_the_form(client, procedure):
    page = client.get(reverse("admin_procedures:fee", args=[procedure.slug])).content.decode()
    assert "Frais et paiement" in page and "Avant le dépôt du dossier" in page
    response = _post(client, procedure)
    assert "Les frais sont enregistrés." in response.content.decode()
    procedure.refresh_from_db()
    fee = definition_validate(procedure.draft_definition).fee
    assert fee.kind == "fixed" and fee.revenue_account == "7068"
    assert [(line.label, line.unit_price, line.quantity) for line in fee.lines] == [("Emplacement", "12.50", "2")]
    # Procedure-as-code carries it, as part of the form.
    assert procedure_export(procedure)["definition"]["fee"]["lines"][0]["unit_price"] == "12.50"


def test_mistakes_are_named_and_nothing_is_saved(client, procedure):
    before = procedure.draft_definition
    response = _post(client, procedure, **{"ligne-0-unit_price": "objet * 2"})
    assert "un montant fixe ne peut pas lire les réponses" in response.content.decode()
    response = _post(client, procedure, kind="formula", **{"ligne-0-unit_price": "surface * 2"})
    assert "« surface »" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.draft_definition == before


def test_choosing_no_fee_removes_it(client, procedure):
    _post(client, procedure)
    procedure.refresh_from_db()
    _post(client, procedure, kind="none")
    procedure.refresh_from_db()
    assert "fee" not in procedure.draft_definition


def test_the_procedure_page_tells_the_public_what_it_costs(client, db):
    fixed = ProcedureFactory(draft_definition=fee_definition())
    page = client.get(reverse("public:procedure_detail", args=[fixed.slug])).content.decode()
    assert "Cette démarche est payante : 12,50\u00a0€, à payer en ligne avant le dépôt du dossier." in page
    computed = ProcedureFactory(
        draft_definition=fee_definition(kind="formula", quantity="objet", moment="after_acceptance")
    )
    page = client.get(reverse("public:procedure_detail", args=[computed.slug])).content.decode()
    assert "calculé d’après vos réponses" in page and "après l’acceptation de la demande" in page
    free = ProcedureFactory()
    assert "payante" not in client.get(reverse("public:procedure_detail", args=[free.slug])).content.decode()
