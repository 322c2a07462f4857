"""The organisation's accountant gets every invoice and credit note of the organisation, whatever
the procedure and group, from whoever administers its procedures; nobody else does."""

import pytest
from django.urls import reverse

from guichet.accounts.models import OrganisationRole
from guichet.core.models import AuditAction, AuditEvent
from guichet.invoicing.services import invoice_credit
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of
from tests.invoicing.samples import issue

pytestmark = pytest.mark.django_db


def administrator_of(organisation):
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return user


def test_the_administrator_exports_all_the_organisations_invoices_for_its_accountant(client):
    room = DossierFactory(accepted=True)
    organisation = room.procedure.organisation
    diagnostic = DossierFactory(accepted=True, procedure=ProcedureFactory(organisation=organisation))
    elsewhere = DossierFactory(accepted=True)
    agent = instructor_of(room.procedure)
    first = issue(room, agent)
    credit_note = invoice_credit(invoice=first, actor=agent)
    second = issue(diagnostic, agent)
    issue(elsewhere, agent)  # another organisation's: not in the file
    administrator = administrator_of(organisation)
    client.force_login(administrator)

    page = client.get(reverse("admin_procedures:list")).content.decode()
    url = reverse("admin_procedures:organisation_invoices", args=[organisation.pk])
    assert f'href="{url}"' in page and f"Factures et avoirs — {organisation.name}" in page
    response = client.get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"factures-{organisation.siret}.csv" in response["Content-Disposition"]
    rows = b"".join(response.streaming_content).decode("utf-8-sig").strip().split("\r\n")
    assert [row.split(";")[0] for row in rows[1:]] == [first.number, credit_note.number, second.number]
    assert ";-300,00;" in rows[2] and rows[2].endswith(first.number)
    event = AuditEvent.objects.get(action=AuditAction.INVOICES_EXPORT)
    assert (event.actor, event.object_id) == (administrator, str(organisation.pk))

    # The administrator of another organisation, and an instructor, do not get it.
    client.force_login(administrator_of(elsewhere.procedure.organisation))
    assert client.get(url).status_code == 404
    client.force_login(agent)
    assert client.get(url).status_code == 403
