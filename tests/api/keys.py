"""Keys for the API tests: a person's (`gch_…`) and a service account's (`gcs_…`), made through the
services as an administrator would. Other API tests import these."""

from collections.abc import Iterable

from guichet.accounts.models import Organisation, OrganisationRole, User
from guichet.api.models import ServiceAccount
from guichet.api.service_accounts import service_account_create, service_token_create
from guichet.api.services import api_token_create
from guichet.procedures.models import Procedure
from tests.factories import UserFactory


def administrator_of(organisation: Organisation) -> User:
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return user


def service_account(
    organisation: Organisation,
    scopes: Iterable[str],
    *,
    procedures: Iterable[Procedure] = (),
    allowed_addresses: Iterable[str] = (),
    name: str = "Logiciel métier",
) -> ServiceAccount:
    admin = (
        User.objects.filter(roles__organisation=organisation, roles__role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR)
        .order_by("pk")
        .first()
    ) or administrator_of(organisation)
    return service_account_create(
        actor=admin,
        organisation=organisation,
        name=name,
        scopes=list(scopes),
        procedures=list(procedures),
        allowed_addresses=list(allowed_addresses),
    )


def service_key(account: ServiceAccount) -> str:
    admin = User.objects.filter(
        roles__organisation=account.organisation, roles__role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    ).first() or administrator_of(account.organisation)
    return service_token_create(actor=admin, account=account).key


def person_key(user: User) -> str:
    return api_token_create(actor=user, name="Logiciel").key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
