"""The API against its own OpenAPI document, by schemathesis: for every operation, examples drawn from
the document (bounded, reproducible) are sent with a service account's key holding every scope, then
with an instructor's own key, and each answer must be no server error (5xx), a status the operation
declares, with the declared content type and a body that matches the declared schema.

Path parameters are drawn three times in four from the objects that exist (the procedure, its
dossiers, a subscription and its delivery, an export, a file, an issued act), and, for the
operations whose drawn bodies no form or address would accept, half the time a known good request
(`world["fixed"]`: an annotation the procedure defines, answers its form accepts, a dossier in
instruction to decide on, a webhook address the tests allow), so that the examples reach the
operations' bodies and not only their 404s and 422s. Everything runs in the test's transaction (no worker runs, no
webhook leaves), and webhook addresses are never looked up in the DNS (see `no_dns`)."""

import ipaddress
import socket

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from guichet.api import main
from guichet.api.scopes import Scope
from guichet.connectors.webhooks import targets
from guichet.dossiers.files import dossier_file_store, file_answer
from guichet.dossiers.models import Dossier
from guichet.dossiers.services import dossier_submit
from guichet.instruction.exports.jobs import export_job_run
from guichet.webhooks.models import WebhookDelivery, WebhookEvent, WebhookMessage
from tests.factories import SIMPLE_DEFINITION, DossierFactory, OrganisationFactory, ProcedureFactory, instructor_of
from tests.samples import minimal_pdf

from .keys import bearer, person_key, service_account, service_key
from .test_scope_matrix import issued_act

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 15


@pytest.fixture
def no_dns(monkeypatch):
    """Webhook addresses are checked by resolving their host: a drawn host name must not reach the
    network. IP literals resolve as usual (no lookup); a name is « introuvable »."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        try:
            ipaddress.ip_address(str(host))
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "no DNS in the tests") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(targets.socket, "getaddrinfo", resolve)


@pytest.fixture
def wsgi_app(monkeypatch):
    """Django's WSGI application, served in the test's transaction: the handler would otherwise close
    the test's database connection at each request (as the test client avoids too). The rate limit
    is lifted: hundreds of calls a minute with one key are the point here."""
    monkeypatch.setattr(main.RATE_LIMIT, "num_requests", 1_000_000)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    handler = WSGIHandler()

    def app(environ, start_response):
        # Each response read whole then closed, as a WSGI server does: a streamed download's file
        # (a bucket's temporary file with GUICHET_TEST_STORAGE=s3) is closed with it.
        response = handler(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()

    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(client, no_dns):
    organisation = OrganisationFactory()
    annotated = {**SIMPLE_DEFINITION, "annotations": [{"id": "note", "type": "textarea", "label": "Note interne"}]}
    procedure = ProcedureFactory(organisation=organisation, slug="aide-velo", draft_definition=annotated)
    instructor = instructor_of(procedure)
    for _ in range(3):
        DossierFactory(procedure=procedure, submitted=True)
    DossierFactory(procedure=procedure, target_state="in_instruction")
    accepted = DossierFactory(procedure=procedure, target_state="accepted")
    # Decided on only through its known good request (the drawn dossiers may be decided on already).
    to_decide = DossierFactory(procedure=procedure, target_state="in_instruction")
    DossierFactory(procedure=ProcedureFactory(), submitted=True)  # another organisation's
    # A dossier filed with a file among its answers, to download.
    with_file = DossierFactory(procedure=procedure)
    stored = dossier_file_store(
        actor=with_file.applicant, dossier=with_file, uploaded=SimpleUploadedFile("devis.pdf", minimal_pdf())
    )
    Dossier.objects.filter(pk=with_file.pk).update(answers={"objet": "Un vélo", "piece": file_answer(stored)})
    with_file.refresh_from_db()
    dossier_submit(actor=with_file.applicant, dossier=with_file)
    account = service_account(organisation, [scope.value for scope in Scope])
    service_headers = bearer(service_key(account))
    subscription = client.post(
        "/api/v1/webhooks/subscriptions",
        {"url": "http://127.0.0.1:9/", "events": ["dossier.submitted"]},
        content_type="application/json",
        headers=service_headers,
    )
    assert subscription.status_code == 201, subscription.content
    act = issued_act(accepted)
    export = client.post(
        "/api/v1/procedures/aide-velo/exports", {}, content_type="application/json", headers=service_headers
    )
    assert export.status_code == 202, export.content
    export_job_run(job_id=export.json()["id"])
    subscription_id = subscription.json()["id"]
    # One delivery of one event, as the worker would have sent it, to replay.
    message = WebhookMessage.objects.create(
        msg_id="msg_schemathesis", source="test:schemathesis", event=WebhookEvent.DOSSIER_SUBMITTED,
        organisation=organisation, dossier_id=with_file.pk, payload={}, created_at=with_file.submitted_at,
    )  # fmt: skip
    delivery = WebhookDelivery.objects.create(message=message, subscription_id=subscription_id, status="delivered")
    hook = {"url": "http://127.0.0.1:9/", "events": ["dossier.submitted"]}
    everything = {
        "slug": "aide-velo",
        "ref": "aide-velo",
        "number": 1,
        "dossier_id": with_file.pk,
        "key": stored.key,
        "subscription_id": subscription_id,
        "delivery_id": delivery.pk,
        "export_id": export.json()["id"],
    }
    return {
        "service": service_headers,
        "person": bearer(person_key(instructor)),
        # Consistent sets of path parameters (a file with its dossier, an act with its own).
        "known": [
            everything,
            {**everything, "ref": str(procedure.pk)},
            {"dossier_id": accepted.pk, "act_id": act.pk},
            *(
                {"dossier_id": pk}
                for pk in Dossier.objects.filter(procedure=procedure)
                .exclude(pk=to_decide.pk)
                .values_list("pk", flat=True)
            ),
        ],
        # Known good requests, by operation: path parameters, query (replacing the drawn one), body.
        "fixed": {
            "GET /api/v1/instruction/procedures/{slug}/dossiers": ({"slug": "aide-velo"}, {}, None),
            "GET /api/v1/dossiers/{dossier_id}/acts/{act_id}": (
                {"dossier_id": accepted.pk, "act_id": act.pk},
                None,
                None,
            ),
            "PATCH /api/v1/dossiers/{dossier_id}/annotations": (
                {"dossier_id": with_file.pk},
                None,
                {"annotations": {"note": "Pièces vérifiées."}},
            ),
            "POST /api/v1/dossiers/{dossier_id}/decide": ({"dossier_id": to_decide.pk}, None, {"decision": "accept"}),
            "POST /api/v1/procedures/{slug}/prefilled": ({"slug": "aide-velo"}, None, {"answers": {"objet": "Vélo"}}),
            "POST /api/v1/webhooks/subscriptions": ({}, None, hook),
            "PUT /api/v1/webhooks/subscriptions/{subscription_id}": ({"subscription_id": subscription_id}, None, hook),
        },
    }


def label_of(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def run_operation(operation, *, headers, known, fixed, examples) -> bool:
    """At most `examples` cases of `operation`; raises at the first failing check (hypothesis shows
    the smallest case). True when one of them succeeded (2xx)."""
    succeeded = []

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), data=st.data())
    def check(case, data):
        # Hypothesis starts from the simplest draws (0, False, the first known set): the known objects
        # and requests come first, the drawn ones after.
        if case.path_parameters and data.draw(st.integers(0, 3)) < 3:  # three times in four
            binding = data.draw(st.sampled_from(known))
            for name in case.path_parameters:
                if name in binding:
                    case.path_parameters[name] = binding[name]
        if label_of(operation) in fixed and not data.draw(st.booleans()):
            path, query, body = fixed[label_of(operation)]
            case.path_parameters = {**(case.path_parameters or {}), **path}
            if query is not None:
                case.query = query
            if body is not None:
                case.body = body
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        succeeded.append(response.status_code < 300)

    check()
    return any(succeeded)


def run_operations(schema, *, headers, known, fixed, examples) -> tuple[set[str], set[str]]:
    """Every operation of `schema`; fails with every operation's failure. The operations that
    succeeded at least once, and all of them."""
    failures, succeeded = [], set()
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletions last, so that the other operations still find what they name.
    operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
    assert len(operations) >= 30
    for operation in operations:
        try:
            if run_operation(operation, headers=headers, known=known, fixed=fixed, examples=examples):
                succeeded.add(label_of(operation))
        except Exception as failure:  # noqa: BLE001 - gather every operation's failure, then report them all
            failures.append(f"{label_of(operation)}:\n{failure}")
    assert not failures, "\n\n".join(failures)
    return succeeded, {label_of(operation) for operation in operations}


def test_the_api_answers_as_its_openapi_document_says_with_a_service_key(world, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    succeeded, every = run_operations(
        schema, headers=world["service"], known=world["known"], fixed=world["fixed"], examples=EXAMPLES
    )
    # The examples reach the operations' bodies, not only their refusals: every one succeeds at least
    # once, but for the change of retention rules, which no service account may make (decision 0031).
    # A workflow operation may find its dossier already moved on by the earlier ones: at most two.
    never = every - succeeded
    assert "PUT /api/v1/procedures/{slug}/retention" in never
    assert len(never) <= 3, f"operations never succeeded: {sorted(never)}"


def test_the_api_answers_as_its_openapi_document_says_with_a_personal_key(world, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    run_operations(schema, headers=world["person"], known=world["known"], fixed=world["fixed"], examples=5)
