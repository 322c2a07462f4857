"""Writes on dossiers through the API, with a service account's key and with a person's: the same
services as the screens (rules, log, emails, audit), located 422s, 409 with the state, 404 abroad."""

import pytest
from django.core import mail

from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import CorrectionRequest, Dossier, DossierState, TransitionLog
from guichet.instruction.services import dossier_annotations_save
from guichet.procedures.models import InstructorGroup, InstructorMembership
from tests.api.keys import bearer, person_key, service_account, service_key
from tests.factories import SIMPLE_DEFINITION, DossierFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

ANNOTATED = {
    **SIMPLE_DEFINITION,
    "annotations": [
        {"id": "visite", "type": "date", "label": "Visite sur place"},
        {"id": "note", "type": "textarea", "label": "Note interne", "max_length": 50},
    ],
}
ALL_WRITES = ["dossiers:instruct", "messages:write", "annotations:write"]


@pytest.fixture
def world():
    procedure = ProcedureFactory(slug="aide-permis", draft_definition=ANNOTATED)
    foreign = ProcedureFactory(slug="ailleurs")
    alice = instructor_of(procedure)
    account = service_account(procedure.organisation, ALL_WRITES, name="GED")
    return {
        "procedure": procedure,
        "alice": alice,
        "service": bearer(service_key(account)),
        "person": bearer(person_key(alice)),
        "label": account.label,
        "foreign": DossierFactory(procedure=foreign, in_instruction=True),
    }


@pytest.fixture(params=["service", "person"])
def caller(request, world):
    """Each write, with a service account's key and with an instructor's own key."""
    label = world["label"] if request.param == "service" else world["alice"].email
    return {"headers": world[request.param], "label": label, "kind": request.param}


def url(dossier, action):
    return f"/api/v1/dossiers/{dossier.pk}/{action}"


def last_event(action):
    return AuditEvent.objects.filter(action=action).order_by("-pk").first()


def test_start_instruction_then_decide_goes_through_the_workflow_and_is_audited(client, world, caller):
    dossier = DossierFactory(procedure=world["procedure"], submitted=True)
    answer = client.post(url(dossier, "start-instruction"), headers=caller["headers"])
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "in_instruction"
    assert last_event(AuditAction.DOSSIER_START_INSTRUCTION).actor_label == caller["label"]

    # A refusal without motivation: located, nothing changed.
    refused = client.post(
        url(dossier, "decide"), {"decision": "refuse"}, content_type="application/json", headers=caller["headers"]
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "decision", "motivation"]
    assert "motivation est obligatoire" in refused.json()["errors"][0]["msg"]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_INSTRUCTION

    mail.outbox.clear()
    decided = client.post(
        url(dossier, "decide"),
        {"decision": "refuse", "motivation": "Pièces manquantes."},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert decided.status_code == 200 and decided.json()["state"] == "refused"
    log = TransitionLog.objects.filter(dossier=dossier).latest("at")
    assert log.actor_role == TransitionLog.ActorRole.INSTRUCTOR and log.motivation == "Pièces manquantes."
    assert (log.actor is None) == (caller["kind"] == "service")
    assert last_event(AuditAction.DOSSIER_REFUSE).actor_label == caller["label"]

    # The same decision again (a retried request): 409 and where the dossier stands, not a 500.
    again = client.post(
        url(dossier, "decide"),
        {"decision": "refuse", "motivation": "Pièces manquantes."},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert again.status_code == 409
    assert again.json()["state"] == "refused" and "refusé" in again.json()["detail"]
    assert TransitionLog.objects.filter(dossier=dossier, transition="refuse").count() == 1


def test_request_corrections_needs_a_message_and_opens_a_request(
    client, world, caller, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(procedure=world["procedure"], in_instruction=True)
    empty = client.post(
        url(dossier, "request-corrections"),
        {"message": "  "},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert empty.status_code == 422 and empty.json()["errors"][0]["loc"] == ["body", "corrections", "message"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(
            url(dossier, "request-corrections"),
            {"message": "Joignez le justificatif de domicile."},
            content_type="application/json",
            headers=caller["headers"],
        )
    assert asked.status_code == 200 and asked.json()["state"] == "submitted"
    request = CorrectionRequest.objects.get(dossier=dossier)
    assert request.reason == "Joignez le justificatif de domicile." and request.resolved_at is None
    assert [dossier.applicant.email] in [message.to for message in mail.outbox]
    assert last_event(AuditAction.DOSSIER_REQUEST_CORRECTION).actor_label == caller["label"]


def test_assign_only_to_an_instructor_of_the_dossier_group(client, world, caller):
    dossier = DossierFactory(procedure=world["procedure"], submitted=True)
    other_group = InstructorGroup.objects.create(procedure=world["procedure"], name="Autre groupe")
    outsider = UserFactory()
    InstructorMembership.objects.create(group=other_group, user=outsider)
    refused = client.put(
        url(dossier, "assignee"),
        {"assignee": outsider.email},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "type": "value_error",
            "loc": ["body", "assignment", "assignee"],
            "msg": "Cette personne n’est pas instructrice du groupe de ce dossier.",
        }
    ]
    given = client.put(
        url(dossier, "assignee"),
        {"assignee": world["alice"].email.upper()},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert given.status_code == 200 and given.json()["assignee"] == world["alice"].email
    dossier.refresh_from_db()
    assert dossier.assignee == world["alice"]
    assert last_event(AuditAction.DOSSIER_ASSIGN).actor_label == caller["label"]
    nobody = client.put(
        url(dossier, "assignee"), {"assignee": None}, content_type="application/json", headers=caller["headers"]
    )
    assert nobody.json()["assignee"] is None


def test_annotations_are_checked_as_on_the_screen(client, world, caller):
    dossier = DossierFactory(procedure=world["procedure"], in_instruction=True)
    refused = client.patch(
        url(dossier, "annotations"),
        {"annotations": {"visite": "31/02/2026", "note": "x" * 51, "inconnu": "?"}},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert refused.status_code == 422
    assert [error["loc"] for error in refused.json()["errors"]] == [["body", "annotations", "inconnu"]]
    refused = client.patch(
        url(dossier, "annotations"),
        {"annotations": {"visite": "31/02/2026", "note": "x" * 51}},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert refused.status_code == 422
    assert {error["loc"][-1] for error in refused.json()["errors"]} == {"visite", "note"}
    dossier.refresh_from_db()
    assert dossier.annotations == {}

    saved = client.patch(
        url(dossier, "annotations"),
        {"annotations": {"visite": "2026-03-02", "note": "Visite prévue."}},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert saved.status_code == 200 and saved.json()["annotations"]["note"] == "Visite prévue."
    assert last_event(AuditAction.DOSSIER_ANNOTATIONS_SAVE).actor_label == caller["label"]
    # null removes one; the others stay.
    cleared = client.patch(
        url(dossier, "annotations"),
        {"annotations": {"note": None}},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert cleared.json()["annotations"] == {"visite": "2026-03-02"}


def test_labels_are_set_exactly(client, world, caller):
    dossier = DossierFactory(procedure=world["procedure"], submitted=True)
    set_ = client.put(
        url(dossier, "labels"),
        {"labels": ["Urgent", "urgent", "  Pièces   manquantes "]},
        content_type="application/json",
        headers=caller["headers"],
    )
    assert set_.status_code == 200 and set_.json()["labels"] == ["Pièces manquantes", "Urgent"]
    assert last_event(AuditAction.DOSSIER_LABELS_SET).actor_label == caller["label"]
    too_long = client.put(
        url(dossier, "labels"), {"labels": ["ok", "x" * 61]}, content_type="application/json", headers=caller["headers"]
    )
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["loc"] == ["body", "labels", "labels", "1"]


WRITES = [
    ("post", "start-instruction", None, "dossiers:instruct"),
    ("post", "request-corrections", {"message": "Corrigez."}, "dossiers:instruct"),
    ("post", "decide", {"decision": "accept"}, "dossiers:instruct"),
    ("put", "assignee", {"assignee": None}, "dossiers:instruct"),
    ("patch", "annotations", {"annotations": {}}, "annotations:write"),
    ("put", "labels", {"labels": []}, "annotations:write"),
    ("post", "messages", "multipart", "messages:write"),
]


def _call(client, method, dossier, action, body, headers):
    if body == "multipart":
        return client.post(url(dossier, action), {"body": "Bonjour."}, headers=headers)
    if body is None:
        return getattr(client, method)(url(dossier, action), headers=headers)
    return getattr(client, method)(url(dossier, action), body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("method", "action", "body", "scope"), WRITES)
def test_each_write_needs_its_scope_and_never_reaches_abroad(client, world, method, action, body, scope):
    """Without the scope: 403; a foreign dossier: 404 (never telling that it exists); no key: 401."""
    procedure = world["procedure"]
    state = {"submitted": True} if action == "start-instruction" else {"in_instruction": True}
    dossier = DossierFactory(procedure=procedure, **state)
    others = [value for value in ("dossiers:read", *ALL_WRITES) if value != scope]
    lacking = bearer(service_key(service_account(procedure.organisation, others, name="Sans")))
    assert _call(client, method, dossier, action, body, lacking).status_code == 403
    assert _call(client, method, world["foreign"], action, body, world["service"]).status_code == 404
    assert _call(client, method, dossier, action, body, {}).status_code == 401
    # Someone who is no instructor of its group, with their own key: 404 too.
    stranger = bearer(person_key(instructor_of(ProcedureFactory())))
    assert _call(client, method, dossier, action, body, stranger).status_code == 404
    assert _call(client, method, dossier, action, body, world["service"]).status_code == 200


def test_two_partial_annotation_writes_at_once_both_land(world):
    dossier = DossierFactory(procedure=world["procedure"], in_instruction=True)
    instructor = instructor_of(world["procedure"])
    # Both read the dossier before either wrote (two requests at once).
    first, second = Dossier.objects.get(pk=dossier.pk), Dossier.objects.get(pk=dossier.pk)
    dossier_annotations_save(actor=instructor, dossier=first, raw={"note": "Visite prévue."}, merge=True)
    dossier_annotations_save(actor=instructor, dossier=second, raw={"visite": "2026-03-02"}, merge=True)
    dossier.refresh_from_db()
    assert dossier.annotations.keys() == {"note", "visite"}
