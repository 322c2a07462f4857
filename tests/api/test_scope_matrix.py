"""Every operation of scope_matrix.OPERATIONS × every kind of key × own or foreign target:
the status that the scope matrix expects, in the API's error shape."""

import pytest

from guichet.webhooks.services import subscription_create
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, instructor_of

from .keys import bearer, person_key, service_account, service_key
from .scope_matrix import FOREIGN, INSTRUCTOR, KINDS, OPERATIONS, TARGETS, expected_status

pytestmark = pytest.mark.django_db


def key_of(kind: str, procedure) -> str:
    if kind == INSTRUCTOR:
        return person_key(instructor_of(procedure))
    scope = kind.removeprefix("service:")
    return service_key(service_account(procedure.organisation, [scope]))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_scope_matrix(client, operation, kind, target):
    own = ProcedureFactory(organisation=OrganisationFactory())
    foreign = ProcedureFactory(organisation=OrganisationFactory())
    aimed = foreign if target == FOREIGN else own
    dossier = DossierFactory(procedure=aimed, submitted=True)
    subscription = None
    if "{subscription}" in operation.path:
        subscription = subscription_create(
            organisation=aimed.organisation,
            procedure=None,
            url="http://127.0.0.1:9/",
            description="GED",
            events=["dossier.submitted"],
            actor=None,
        ).subscription
    path = operation.path.format(
        dossier=dossier.pk, procedure=aimed.slug, subscription=subscription.pk if subscription else ""
    )
    headers = bearer(key_of(kind, own))
    if operation.body is None:
        response = getattr(client, operation.method)(path, headers=headers)
    else:
        response = getattr(client, operation.method)(
            path, operation.body, content_type="application/json", headers=headers
        )
    expected = expected_status(operation, kind, target)
    assert response.status_code == expected, response.content
    if expected >= 400:
        # A 409 of the workflow also says where the dossier stands (`state`).
        assert set(response.json()) <= {"detail", "errors", "state"} and response.json()["detail"]
