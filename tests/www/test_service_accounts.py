"""The service accounts' screens: an organisation's administrator makes one (the key shown once),
changes its scopes, procedures and addresses (clear errors), rotates and revokes its keys; nobody
else reaches them; every form works without JavaScript."""

import pytest
from django.urls import reverse

from guichet.api.models import ServiceAccount, ServiceToken
from guichet.api.services import api_key_digest
from tests.api.keys import administrator_of, service_account
from tests.factories import OrganisationFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    organisation = OrganisationFactory(name="Commune de Troyes")
    admin = administrator_of(organisation)
    client.force_login(admin)
    return {"organisation": organisation, "admin": admin, "procedure": ProcedureFactory(organisation=organisation)}


def test_the_administrators_space_links_to_the_service_accounts(client, world):
    page = client.get(reverse("admin_procedures:list")).content.decode()
    assert reverse("service_accounts:list") in page


def test_an_administrator_creates_an_account_and_sees_its_key_once(client, world):
    response = client.post(
        reverse("service_accounts:create"),
        {
            "organisation": world["organisation"].pk,
            "name": "GED du service",
            "scopes": ["dossiers:read", "dossiers:instruct"],
            "procedures": [world["procedure"].pk],
            "allowed_addresses": "192.0.2.0/24\n2001:db8::1",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "elle ne sera plus jamais affichée" in page and "Copier la clé" in page
    account = ServiceAccount.objects.get()
    assert account.scopes == ["dossiers:read", "dossiers:instruct"]
    assert list(account.procedures.all()) == [world["procedure"]]
    assert account.allowed_addresses == ["192.0.2.0/24", "2001:db8::1"]
    key = page.split('id="nouvelle-cle" type="text" readonly value="')[1].split('"')[0]
    assert key.startswith("gcs_") and ServiceToken.objects.filter(key_sha256=api_key_digest(key)).exists()
    detail = client.get(reverse("service_accounts:detail", args=[account.pk])).content.decode()
    assert key not in detail and key[:12] in detail and "jamais" in detail
    assert client.get("/api/v1/instruction/procedures", headers={"Authorization": f"Bearer {key}"}).status_code == 403


def test_bad_addresses_and_no_scope_get_clear_french_errors(client, world):
    response = client.post(
        reverse("service_accounts:create"),
        {"organisation": world["organisation"].pk, "name": "GED", "allowed_addresses": "192.0.2.1\nserveur-ged"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "« serveur-ged » n’est ni une adresse IP" in page and "Cochez au moins un droit." in page
    assert not ServiceAccount.objects.exists()


def test_rotate_then_revoke_a_key_and_the_account(client, world):
    account = service_account(world["organisation"], ["dossiers:read"])
    client.post(reverse("service_accounts:token_create", args=[account.pk]), {"expires_on": ""})
    token = ServiceToken.objects.get(account=account)
    rotated = client.post(reverse("service_accounts:token_rotate", args=[account.pk, token.pk]))
    assert rotated.status_code == 200 and "fonctionne encore jusqu’au" in rotated.content.decode()
    token.refresh_from_db()
    assert token.expires_at is not None and ServiceToken.objects.filter(account=account).count() == 2
    client.post(reverse("service_accounts:token_revoke", args=[account.pk, token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.post(reverse("service_accounts:revoke", args=[account.pk]))
    account.refresh_from_db()
    assert account.revoked_at is not None
    assert not ServiceToken.objects.filter(account=account, revoked_at__isnull=True).exists()


def test_the_scopes_are_changed_on_the_account_page(client, world):
    account = service_account(world["organisation"], ["dossiers:read"])
    response = client.post(
        reverse("service_accounts:detail", args=[account.pk]),
        {"name": "GED", "scopes": ["statistics:read"], "allowed_addresses": ""},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.scopes == ["statistics:read"] and account.name == "GED"


def test_nobody_else_reaches_the_accounts(client, world):
    account = service_account(world["organisation"], ["dossiers:read"])
    client.force_login(administrator_of(OrganisationFactory()))
    assert client.get(reverse("service_accounts:detail", args=[account.pk])).status_code == 404
    assert client.post(reverse("service_accounts:revoke", args=[account.pk])).status_code == 404
    assert account.name not in client.get(reverse("service_accounts:list")).content.decode()
    client.force_login(UserFactory())
    assert client.get(reverse("service_accounts:list")).status_code == 403
    account.refresh_from_db()
    assert account.revoked_at is None
