"""Service accounts: made and changed by the organisation's administrators only, audited; their
tokens shown once, expiring, rotated with an overlap, revoked; the client addresses they accept;
the last use written at most once a minute; the rate limit counted per token."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from guichet.api import main
from guichet.api.models import ServiceToken
from guichet.api.scopes import Scope
from guichet.api.service_accounts import (
    ServiceAccountInvalid,
    service_account_revoke,
    service_account_update,
    service_token_create,
    service_token_revoke,
    service_token_rotate,
)
from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import DossierState, TransitionLog
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

from .keys import administrator_of, bearer, person_key, service_account, service_key

pytestmark = pytest.mark.django_db

URL = "/api/v1/instruction/procedures"


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Préfecture de l’Aube")


def test_only_the_organisation_s_administrators_manage_its_accounts(organisation):
    account = service_account(organisation, [Scope.DOSSIERS_READ])
    stranger = administrator_of(OrganisationFactory())
    with pytest.raises(PermissionDenied):
        service_token_create(actor=stranger, account=account)
    with pytest.raises(PermissionDenied):
        service_account_revoke(actor=UserFactory(), account=account)
    event = AuditEvent.objects.get(action=AuditAction.SERVICE_ACCOUNT_CREATE)
    assert event.details["scopes"] == ["dossiers:read"] and event.object_id == str(account.pk)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "Donnez un nom"),
        ({"scopes": []}, "au moins un droit"),
        ({"scopes": ["dossiers:tout"]}, "Droit inconnu"),
        ({"allowed_addresses": ["192.0.2.300"]}, "n’est ni une adresse IP"),
        ({"allowed_addresses": ["localhost"]}, "n’est ni une adresse IP"),
    ],
)
def test_an_invalid_account_is_refused_with_a_clear_message(organisation, changes, message):
    account = service_account(organisation, [Scope.DOSSIERS_READ])
    values = {"name": "Logiciel", "scopes": ["dossiers:read"], "allowed_addresses": [], **changes}
    with pytest.raises(ServiceAccountInvalid, match=message):
        service_account_update(actor=administrator_of(organisation), account=account, **values)


def test_a_procedure_of_another_organisation_is_refused(organisation):
    account = service_account(organisation, [Scope.DOSSIERS_READ])
    foreign = ProcedureFactory()
    with pytest.raises(ServiceAccountInvalid, match="n’appartient pas"):
        service_account_update(
            actor=administrator_of(organisation),
            account=account,
            name="Logiciel",
            scopes=["dossiers:read"],
            procedures=[foreign],
        )


def test_a_service_token_works_until_revoked_and_only_its_hash_is_kept(client, organisation):
    account = service_account(organisation, [Scope.DOSSIERS_READ])
    key = service_key(account)
    assert key.startswith("gcs_") and not ServiceToken.objects.filter(key_sha256=key).exists()
    assert client.get(URL, headers=bearer(key)).status_code == 200
    token = ServiceToken.objects.get(account=account)
    service_token_revoke(actor=administrator_of(organisation), token=token)
    response = client.get(URL, headers=bearer(key))
    assert response.status_code == 401 and response.json() == {"detail": "Clé d’API absente, inconnue ou révoquée."}


def test_revoking_the_account_stops_every_token(client, organisation):
    account = service_account(organisation, [Scope.DOSSIERS_READ])
    keys = [service_key(account), service_key(account)]
    service_account_revoke(actor=administrator_of(organisation), account=account)
    assert [client.get(URL, headers=bearer(key)).status_code for key in keys] == [401, 401]
    with pytest.raises(ServiceAccountInvalid):
        service_key(account)


def test_an_expired_token_is_refused(client, organisation):
    account = service_account(organisation, [Scope.DOSSIERS_READ])
    admin = administrator_of(organisation)
    made = service_token_create(actor=admin, account=account, expires_at=timezone.now() + timedelta(days=1))
    assert client.get(URL, headers=bearer(made.key)).status_code == 200
    ServiceToken.objects.filter(pk=made.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(URL, headers=bearer(made.key)).status_code == 401


def test_rotation_keeps_the_old_token_for_the_overlap_only(client, organisation):
    account = service_account(organisation, [Scope.DOSSIERS_READ])
    admin = administrator_of(organisation)
    old = service_token_create(actor=admin, account=account)
    new = service_token_rotate(actor=admin, token=old.token, overlap=timedelta(hours=2))
    old.token.refresh_from_db()
    assert timedelta(hours=1) < old.token.expires_at - timezone.now() <= timedelta(hours=2)
    assert new.token.expires_at is None
    assert [client.get(URL, headers=bearer(key)).status_code for key in (old.key, new.key)] == [200, 200]
    ServiceToken.objects.filter(pk=old.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert [client.get(URL, headers=bearer(key)).status_code for key in (old.key, new.key)] == [401, 200]
    assert AuditEvent.objects.filter(action=AuditAction.SERVICE_TOKEN_ROTATE).count() == 1


def test_the_client_address_must_be_allowed(client, organisation):
    account = service_account(organisation, [Scope.DOSSIERS_READ], allowed_addresses=["192.0.2.0/24", "2001:db8::1"])
    assert account.allowed_addresses == ["192.0.2.0/24", "2001:db8::1"]
    key = service_key(account)
    assert client.get(URL, headers=bearer(key), REMOTE_ADDR="192.0.2.77").status_code == 200
    assert client.get(URL, headers=bearer(key), REMOTE_ADDR="2001:db8::1").status_code == 200
    refused = client.get(URL, headers=bearer(key), REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 403
    assert "n’accepte pas les appels venant de l’adresse 198.51.100.1" in refused.json()["detail"]


def test_behind_trusted_proxies_the_client_address_is_the_one_they_saw(client, organisation, settings):
    account = service_account(organisation, [Scope.DOSSIERS_READ], allowed_addresses=["192.0.2.10"])
    headers = bearer(service_key(account))
    # One proxy in front (REMOTE_ADDR is its address): the last address of X-Forwarded-For is the one
    # it saw; what the client wrote before it proves nothing.
    settings.GUICHET_API_PROXY_COUNT = 1
    seen = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 192.0.2.10"}
    forged = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "192.0.2.10, 203.0.113.9"}
    assert client.get(URL, headers=headers, **seen).status_code == 200
    refused = client.get(URL, headers=headers, **forged)
    assert refused.status_code == 403 and "l’adresse 203.0.113.9" in refused.json()["detail"]
    # Fewer addresses than proxies: not through them; REMOTE_ADDR is the client.
    alone = {"REMOTE_ADDR": "192.0.2.10", "HTTP_X_FORWARDED_FOR": ""}
    assert client.get(URL, headers=headers, **alone).status_code == 200
    # No proxy declared: X-Forwarded-For is only what the client wrote.
    settings.GUICHET_API_PROXY_COUNT = 0
    assert client.get(URL, headers=headers, **seen).status_code == 403


def test_the_last_use_is_written_at_most_once_a_minute(client, organisation):
    key = service_key(service_account(organisation, [Scope.DOSSIERS_READ]))
    client.get(URL, headers=bearer(key))
    token = ServiceToken.objects.get()
    first = token.last_used_at
    assert first is not None
    client.get(URL, headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == first
    ServiceToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(URL, headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at > first


def test_a_service_account_s_decision_is_audited_with_its_name(client, organisation):
    procedure = ProcedureFactory(organisation=organisation)
    dossier = DossierFactory(procedure=procedure, submitted=True)
    key = service_key(service_account(organisation, [Scope.DOSSIERS_INSTRUCT], name="GED"))
    response = client.post(
        f"/api/v1/instruction/dossiers/{dossier.pk}/decision",
        {"decision": "start_instruction"},
        content_type="application/json",
        headers=bearer(key),
    )
    assert response.status_code == 200, response.content
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_INSTRUCTION
    event = AuditEvent.objects.get(action=AuditAction.DOSSIER_START_INSTRUCTION)
    assert event.actor is None and event.actor_label == "Compte de service : GED (Préfecture de l’Aube)"
    assert TransitionLog.objects.filter(dossier=dossier).last().actor_role == TransitionLog.ActorRole.INSTRUCTOR
    reader = service_key(service_account(organisation, [Scope.DOSSIERS_READ]))
    history = client.get(f"/api/v1/instruction/dossiers/{dossier.pk}", headers=bearer(reader)).json()["history"]
    assert [entry["actor"] for entry in history] == ["", "Compte de service : GED (Préfecture de l’Aube)"]


def test_every_call_of_a_service_account_is_audited_under_its_name(client, organisation):
    procedure = ProcedureFactory(organisation=organisation)
    dossier = DossierFactory(procedure=procedure, submitted=True)
    key = service_key(service_account(organisation, [Scope.DOSSIERS_READ], name="Entrepôt"))
    assert client.get(f"/api/v1/dossiers/{dossier.pk}", headers=bearer(key)).status_code == 200
    assert client.get("/api/v1/dossiers", {"label": "Urgent"}, headers=bearer(key)).status_code == 200
    assert client.post(f"/api/v1/dossiers/{dossier.pk}/start-instruction", headers=bearer(key)).status_code == 403
    calls = AuditEvent.objects.filter(action=AuditAction.API_CALL).order_by("pk")
    assert [(event.actor, event.actor_label) for event in calls] == [
        (None, "Compte de service : Entrepôt (Préfecture de l’Aube)")
    ] * 3
    assert [(event.details["method"], event.details["path"]) for event in calls] == [
        ("GET", f"/api/v1/dossiers/{dossier.pk}"),
        ("GET", "/api/v1/dossiers"),  # what it reached, not what it searched
        ("POST", f"/api/v1/dossiers/{dossier.pk}/start-instruction"),
    ]
    # A person's key is audited through what it changes, under the person's address (not per call).
    person = person_key(instructor_of(procedure))
    client.get(f"/api/v1/dossiers/{dossier.pk}", headers=bearer(person))
    assert AuditEvent.objects.filter(action=AuditAction.API_CALL).count() == 3


def test_the_rate_limit_counts_per_token(client, organisation, monkeypatch):
    monkeypatch.setattr(main.RATE_LIMIT, "num_requests", 2)
    account = service_account(organisation, [Scope.DOSSIERS_READ])
    first, second = service_key(account), service_key(account)
    assert [client.get(URL, headers=bearer(first)).status_code for _ in range(2)] == [200, 200]
    throttled = client.get(URL, headers=bearer(first))
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert throttled.json()["detail"].startswith("Trop de requêtes")
    # Another token (of the same account, or a person's) has its own count.
    assert client.get(URL, headers=bearer(second)).status_code == 200
    person = person_key(instructor_of(ProcedureFactory(organisation=organisation)))
    assert client.get(URL, headers=bearer(person)).status_code == 200
