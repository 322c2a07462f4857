"""A procedure's retention settings through the API: read and changed by its administrators and
the archivists of its organisation, read by a service account with `retention:read`, refused to
others, errors in the API's shape."""

import pytest

from guichet.accounts.models import OrganisationRole
from guichet.api.services import api_token_create
from guichet.core.models import AuditAction, AuditEvent
from tests.factories import OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

from .keys import bearer as key_headers
from .keys import service_account, service_key

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"Authorization": f"Bearer {api_token_create(actor=user, name='Logiciel').key}"}


def with_role(organisation, role):
    user = UserFactory()
    OrganisationRole.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def procedure():
    return ProcedureFactory(organisation=OrganisationFactory(), retention_years=5)


def path(procedure):
    return f"/api/v1/procedures/{procedure.slug}/retention"


def test_administrators_and_archivists_read_and_change_the_rules(client, procedure):
    for role in (OrganisationRole.Role.PROCEDURE_ADMINISTRATOR, OrganisationRole.Role.ARCHIVIST):
        headers = bearer(with_role(procedure.organisation, role))
        answer = client.get(path(procedure), headers=headers)
        assert answer.status_code == 200
        assert answer.json()["access_rule"] == "AR038"
    answer = client.put(
        path(procedure),
        {"retention_years": 12, "final_fate": "detruire", "archival_agreement": "IC-000001"},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "retention_years": 12,
        "retention_start": "decision",
        "final_fate": "detruire",
        "archival_agreement": "IC-000001",
        "originating_agency": "",
        "submission_agency": "",
        "archival_profile": "",
        "access_rule": "AR038",
    }
    procedure.refresh_from_db()
    assert procedure.retention_years == 12
    assert AuditEvent.objects.filter(action=AuditAction.PROCEDURE_RETENTION_UPDATE).count() == 1


def test_refused_values_answer_422_naming_each_field(client, procedure):
    headers = bearer(with_role(procedure.organisation, OrganisationRole.Role.ARCHIVIST))
    answer = client.put(
        path(procedure),
        {"retention_years": 150, "originating_agency": "Mairie de X"},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] == "Requête invalide."
    places = {tuple(error["loc"]): error["msg"] for error in body["errors"]}
    assert "de 1 à 100" in places[("body", "retention", "retention_years")]
    assert "sans espace" in places[("body", "retention", "originating_agency")]
    procedure.refresh_from_db()
    assert procedure.retention_years == 5
    # A value of the wrong kind is refused by the schema, in the same shape.
    answer = client.put(path(procedure), {"final_fate": "garder"}, content_type="application/json", headers=headers)
    assert answer.status_code == 422 and answer.json()["errors"]


def test_others_are_refused(client, procedure):
    assert client.get(path(procedure)).status_code == 401
    instructor = instructor_of(procedure)
    assert client.get(path(procedure), headers=bearer(instructor)).status_code == 403
    # An archivist of another organisation: the procedure does not exist for them.
    stranger = with_role(OrganisationFactory(), OrganisationRole.Role.ARCHIVIST)
    answer = client.get(path(procedure), headers=bearer(stranger))
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Cette démarche n’existe pas ou vous n’en gérez pas la conservation."}
    answer = client.put(
        path(procedure), {"retention_years": 1}, content_type="application/json", headers=bearer(stranger)
    )
    assert answer.status_code == 404
    procedure.refresh_from_db()
    assert procedure.retention_years == 5


def test_a_service_account_reads_the_rules_with_its_scope_and_never_changes_them(client, procedure):
    reader = key_headers(service_key(service_account(procedure.organisation, ["retention:read"])))
    answer = client.get(path(procedure), headers=reader)
    assert answer.status_code == 200 and answer.json()["retention_years"] == 5
    refused = client.put(path(procedure), {"retention_years": 1}, content_type="application/json", headers=reader)
    assert refused.status_code == 403 and "jamais par un compte de service" in refused.json()["detail"]
    procedure.refresh_from_db()
    assert procedure.retention_years == 5
    # Without the scope, 403; another organisation's procedure does not exist for it.
    other = key_headers(service_key(service_account(procedure.organisation, ["dossiers:read"])))
    assert client.get(path(procedure), headers=other).status_code == 403
    foreign = ProcedureFactory(organisation=OrganisationFactory())
    assert client.get(path(foreign), headers=reader).status_code == 404
