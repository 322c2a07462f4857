"""The instructors' API: a person's key, their rights and no more, the screens' lists and decisions."""

import pytest
from django.core import mail
from django.urls import reverse

from guichet.api.models import ApiToken
from guichet.api.services import api_token_create
from guichet.core.models import AuditEvent
from guichet.dossiers.models import DossierState
from guichet.procedures.models import InstructorGroup, InstructorMembership
from tests.factories import DossierFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    procedure = ProcedureFactory(slug="aide-permis")
    group_a = procedure.instructor_groups.get(is_default=True)
    group_b = InstructorGroup.objects.create(procedure=procedure, name="Groupe B")
    alice, bob = UserFactory(), UserFactory()
    InstructorMembership.objects.create(group=group_a, user=alice)
    InstructorMembership.objects.create(group=group_b, user=bob)
    mine = [DossierFactory(procedure=procedure, submitted=True) for _ in range(3)]
    theirs = DossierFactory(procedure=procedure, submitted=True)
    type(theirs).objects.filter(pk=theirs.pk).update(group=group_b)
    return {"procedure": procedure, "alice": alice, "bob": bob, "mine": mine, "theirs": theirs}


def bearer(user):
    return {"Authorization": f"Bearer {api_token_create(actor=user, name='Logiciel').key}"}


def test_without_a_valid_key_nothing_is_answered(client, world):
    url = "/api/v1/instruction/procedures"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer gch_nimportequoi"}).json() == {
        "detail": "Clé d’API absente, inconnue ou révoquée."
    }
    headers = bearer(world["alice"])
    assert client.get(url, headers=headers).status_code == 200
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get(url, headers=headers).status_code == 401


def test_an_instructor_lists_and_reads_the_dossiers_of_their_groups_only(client, world):
    headers = bearer(world["alice"])
    procedures = client.get("/api/v1/instruction/procedures", headers=headers).json()
    assert procedures == [{"slug": "aide-permis", "title": world["procedure"].title, "waiting": 3}]

    listed = client.get("/api/v1/instruction/procedures/aide-permis/dossiers", headers=headers).json()
    assert {d["id"] for d in listed["dossiers"]} == {d.pk for d in world["mine"]} and listed["next"] is None
    assert listed["dossiers"][0]["state"] == "submitted"
    assert listed["dossiers"][0]["state_label"] == "Déposé"
    searched = client.get(
        "/api/v1/instruction/procedures/aide-permis/dossiers",
        {"q": world["mine"][0].number, "tab": "a-traiter"},
        headers=headers,
    ).json()
    assert [d["id"] for d in searched["dossiers"]] == [world["mine"][0].pk]

    dossier = client.get(f"/api/v1/instruction/dossiers/{world['mine'][0].pk}", headers=headers).json()
    assert dossier["number"] == world["mine"][0].number and dossier["procedure"] == "aide-permis"
    assert dossier["answers"] == world["mine"][0].snapshots.get().answers
    assert [h["transition"] for h in dossier["history"]] == ["submit"]
    # Another group's dossier does not exist for her; nor does a procedure she does not instruct.
    assert client.get(f"/api/v1/instruction/dossiers/{world['theirs'].pk}", headers=headers).status_code == 404
    other = ProcedureFactory()
    assert client.get(f"/api/v1/instruction/procedures/{other.slug}/dossiers", headers=headers).status_code == 404


def test_an_instructor_decides_through_the_api_as_on_the_screen(client, world, django_capture_on_commit_callbacks):
    headers = bearer(world["alice"])
    dossier = world["mine"][0]
    url = f"/api/v1/instruction/dossiers/{dossier.pk}/decision"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "start_instruction"}, content_type="application/json", headers=headers)
    assert response.status_code == 200 and response.json()["state"] == "in_instruction"
    refused = client.post(url, {"decision": "refuse"}, content_type="application/json", headers=headers)
    assert refused.status_code == 409 and "motivation est obligatoire" in refused.json()["detail"]
    wrong = client.post(url, {"decision": "submit"}, content_type="application/json", headers=headers)
    assert wrong.status_code == 422
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_INSTRUCTION
    assert AuditEvent.objects.filter(action="dossier.start_instruction", actor=world["alice"]).exists()
    assert len(mail.outbox) == 1  # the applicant is told, as from the screen
    theirs = client.post(
        f"/api/v1/instruction/dossiers/{world['theirs'].pk}/decision",
        {"decision": "start_instruction"},
        content_type="application/json",
        headers=headers,
    )
    assert theirs.status_code == 404


def test_a_key_is_made_shown_once_and_revoked_from_the_back_office(client, world):
    client.force_login(world["alice"])
    url = reverse("agent:api_keys")
    assert client.post(url, {"name": "  "}).status_code == 400
    page = client.post(url, {"name": "Logiciel du service"}).content.decode()
    token = ApiToken.objects.get(user=world["alice"])
    key = page.split('<code id="nouvelle-cle">')[1].split("</code>")[0]
    assert key.startswith(token.prefix) and token.key_sha256 != key and key not in str(token.__dict__)
    assert key not in client.get(url).content.decode()  # shown once
    api = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/instruction/procedures", headers=api).status_code == 200
    # Bob cannot revoke Alice's key; she can.
    client.force_login(world["bob"])
    assert client.post(reverse("agent:api_key_revoke", args=[token.pk])).status_code == 404
    client.force_login(world["alice"])
    client.post(reverse("agent:api_key_revoke", args=[token.pk]))
    assert client.get("/api/v1/instruction/procedures", headers=api).status_code == 401
    assert AuditEvent.objects.filter(action__in=["api.token_create", "api.token_revoke"]).count() == 2


def test_the_openapi_description_is_published(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/instruction/dossiers/{dossier_id}" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr.net" not in docs  # served from our own static files


def test_the_put_aside_list_answers_to_its_name_and_to_its_former_one(client, world):
    headers = bearer(world["alice"])
    aside = world["mine"][0]
    type(aside).objects.filter(pk=aside.pk).update(archived_at="2026-01-01T00:00:00Z")
    url = "/api/v1/instruction/procedures/aide-permis/dossiers"
    for tab in ("mis-de-cote", "archives"):
        listed = client.get(url, {"tab": tab}, headers=headers).json()
        assert [d["id"] for d in listed["dossiers"]] == [aside.pk], tab
    assert client.get(url, {"tab": "corbeille"}, headers=headers).status_code == 422
