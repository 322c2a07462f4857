"""In the builder, an administrator charges the fee to the company whose SIRET is answered, names
the fields of its name and address, and is told the fee is invoiced through Chorus Pro."""

import pytest
from django.urls import reverse

from guichet.procedures.definition import definition_validate
from guichet.procedures.models import Procedure
from tests.invoicing.fee_samples import company_fee_definition
from tests.payments.test_builder import _post, procedure  # noqa: F401 (the administrator's draft, a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def company_procedure(procedure):  # noqa: F811
    """The draft asks for a company: its SIRET, name and address."""
    form = {key: value for key, value in company_fee_definition().items() if key != "fee"}
    Procedure.objects.filter(pk=procedure.pk).update(draft_definition=form)
    procedure.refresh_from_db()
    return procedure


def test_the_fee_is_charged_to_the_company_and_invoiced_through_chorus_pro(client, company_procedure):
    url = reverse("admin_procedures:fee", args=[company_procedure.slug])
    page = client.get(url).content.decode()
    assert "L’entreprise dont le SIRET est saisi dans le formulaire (facturée par Chorus Pro)" in page
    assert "SIRET de l’entreprise</option>" in page and "Adresse de l’entreprise</option>" in page
    response = _post(
        client,
        company_procedure,
        payer="company",
        moment="after_acceptance",
        payer_siret_field="siret",
        payer_name_field="entreprise",
        payer_address_field="adresse",
    )
    page = response.content.decode()
    assert "Les frais sont enregistrés." in page
    assert "Ces frais seront facturés à l’entreprise par Chorus Pro plutôt que payés en ligne" in page
    assert "à l’acceptation du dossier" in page
    company_procedure.refresh_from_db()
    fee = definition_validate(company_procedure.draft_definition).fee
    assert (fee.payer, fee.payer_siret_field, fee.payer_name_field, fee.payer_address_field) == (
        "company",
        "siret",
        "entreprise",
        "adresse",
    )


def test_an_applicant_fee_says_nothing_of_chorus_pro_and_keeps_no_company_fields(client, company_procedure):
    page = _post(client, company_procedure, payer_name_field="entreprise").content.decode()
    assert "Les frais sont enregistrés." in page and "plutôt que payés en ligne" not in page
    company_procedure.refresh_from_db()
    assert "payer_name_field" not in company_procedure.draft_definition["fee"]


def test_a_company_invoice_cannot_mix_lines_with_and_without_vat(client, company_procedure):
    before = company_procedure.draft_definition
    page = _post(
        client,
        company_procedure,
        payer="company",
        payer_siret_field="siret",
        **{"ligne-1-label": "Copie", "ligne-1-unit_price": "2", "ligne-1-vat_rate": "20"},
    ).content.decode()
    assert "une facture ne peut mêler des lignes sans TVA et des lignes avec TVA" in page
    company_procedure.refresh_from_db()
    assert company_procedure.draft_definition == before
