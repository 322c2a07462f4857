"""Every operation of scope_matrix.OPERATIONS × every kind of key × own or foreign target: the
status that the scope matrix expects, in the API's error shape; and every operation of the OpenAPI
document has its rows, so that a new operation cannot be left out.

The organisations, procedures, dossiers and keys are made once for the module (`world`, in a
transaction rolled back at its end); each operation is one test that calls it with every kind of key
on every target, each call in a savepoint rolled back after it (a write does not change what the next
cell sees), and fails listing every wrong cell at once."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.utils import timezone

from guichet.api.main import api
from guichet.documents.models import Act, ActStatus
from guichet.dossiers.models import ActKind, DossierFile, Message, MessageAttachment
from guichet.instruction.models import ExportJob
from guichet.webhooks.models import WebhookDelivery, WebhookEvent, WebhookMessage
from guichet.webhooks.services import subscription_create
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, instructor_of
from tests.samples import minimal_pdf

from .keys import bearer, person_key, service_account, service_key
from .scope_matrix import FOREIGN, INSTRUCTOR, KINDS, OPERATIONS, OWN, TARGETS, UNLISTED, Operation, expected_status

PREFIX = "guichet_api_"


@dataclass(frozen=True)
class Key:
    key: str
    owner: str  # who owns what it starts (an export): « user:12 », « service:3 »


@dataclass(frozen=True)
class World:
    procedures: dict  # target -> the procedure it aims at
    dossiers: dict  # target -> a filed dossier of that procedure
    keys: dict  # (kind, limited) -> Key; `limited`: an account reaching the own procedure only


def key_of(kind: str, procedure, *, limited: bool) -> Key:
    if kind == INSTRUCTOR:
        user = instructor_of(procedure)
        return Key(person_key(user), f"user:{user.pk}")
    procedures = [procedure] if limited else []
    account = service_account(procedure.organisation, [kind.removeprefix("service:")], procedures=procedures)
    return Key(service_key(account), f"service:{account.pk}")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """What every cell needs, made once and rolled back after the module's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        own = ProcedureFactory(organisation=OrganisationFactory())
        procedures = {
            OWN: own,
            FOREIGN: ProcedureFactory(organisation=OrganisationFactory()),
            UNLISTED: ProcedureFactory(organisation=own.organisation),
        }
        dossiers = {
            target: DossierFactory(procedure=procedure, submitted=True) for target, procedure in procedures.items()
        }
        instructor = key_of(INSTRUCTOR, own, limited=False)
        keys = {(INSTRUCTOR, False): instructor, (INSTRUCTOR, True): instructor}
        for kind in KINDS[1:]:
            for limited in (False, True):
                keys[kind, limited] = key_of(kind, own, limited=limited)
        yield World(procedures=procedures, dossiers=dossiers, keys=keys)
        transaction.set_rollback(True)


def message_file(dossier) -> DossierFile:
    data = minimal_pdf()
    stored = DossierFile(
        dossier=dossier, name="courrier.pdf", size=len(data), content_type="application/pdf",
        sha256=hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    stored.content.save("courrier.pdf", ContentFile(data), save=False)
    stored.save()
    message = Message.objects.create(dossier=dossier, author_role=Message.AuthorRole.INSTRUCTOR, body="Voici.")
    MessageAttachment.objects.create(message=message, file=stored)
    return stored


def issued_act(dossier) -> Act:
    pdf = minimal_pdf()
    act = Act(
        dossier=dossier, kind=ActKind.RECEIPT, status=ActStatus.ISSUED, issued_at=timezone.now(),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )  # fmt: skip
    act.pdf.save("accuse.pdf", ContentFile(pdf), save=False)
    act.save()
    return act


def done_export(procedure, owner: str) -> ExportJob:
    job = ExportJob(
        procedure=procedure, api_owner=owner, format="csv", status=ExportJob.Status.DONE,
        expires_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    job.file.save("export.csv", ContentFile(b"numero\n"), save=False)
    job.save()
    return job


def placeholders(path: str, aimed, dossier, owner: str) -> dict:
    """What the path names, made in the aimed procedure (its organisation for the webhooks)."""
    values = {"dossier": dossier.pk, "procedure": aimed.slug}
    if "{file}" in path:
        values["file"] = message_file(dossier).key
    if "{act}" in path:
        values["act"] = issued_act(dossier).pk
    if "{export}" in path:
        values["export"] = done_export(aimed, owner).pk
    if "{subscription}" in path:
        # Following the aimed procedure alone: an account limited to another one does not reach it.
        subscription = subscription_create(
            organisation=aimed.organisation, procedure=aimed, url="http://127.0.0.1:9/", description="GED",
            events=["dossier.submitted"], actor=None,
        ).subscription  # fmt: skip
        values["subscription"] = subscription.pk
        if "{delivery}" in path:
            message = WebhookMessage.objects.create(
                msg_id=f"msg_{dossier.pk}", source=f"test:{dossier.pk}", event=WebhookEvent.DOSSIER_SUBMITTED,
                organisation=aimed.organisation, dossier_id=dossier.pk, payload={}, created_at=timezone.now(),
            )  # fmt: skip
            delivery = WebhookDelivery.objects.create(message=message, subscription=subscription, status="delivered")
            values["delivery"] = delivery.pk
    return values


def streamed_close(response) -> None:
    """Close a streamed answer without the request_finished signal closing the database connection
    that the module's fixtures keep open (the test client does the same for the answers it closes)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def cell(client, world: World, operation: Operation, kind: str, target: str) -> str | None:
    """Calls `operation` with `kind` of key on `target`, in a savepoint rolled back after it; what is
    wrong with the answer, or None."""
    with transaction.atomic():
        key = world.keys[kind, target == UNLISTED]
        aimed, dossier = world.procedures[target], world.dossiers[target]
        path = operation.path.format(**placeholders(operation.path, aimed, dossier, key.owner))
        headers = bearer(key.key)
        call = getattr(client, operation.method)
        if operation.multipart:
            body = {**operation.body, "attachments": [SimpleUploadedFile("courrier.pdf", minimal_pdf())]}
            response = call(path, body, headers=headers)
        elif operation.body is None:
            response = call(path, headers=headers)
        else:
            response = call(path, operation.body, content_type="application/json", headers=headers)
        transaction.set_rollback(True)
    if response.streaming:  # as a WSGI server does: a streamed download's file is closed with it
        streamed_close(response)
    expected = expected_status(operation, kind, target)
    if response.status_code != expected:
        return f"{kind} × {target}: {response.status_code} instead of {expected} ({response.content[:200]!r})"
    # A 409 of the workflow also says where the dossier stands (`state`).
    if expected >= 400 and not (set(response.json()) <= {"detail", "errors", "state"} and response.json()["detail"]):
        return f"{kind} × {target}: not the API's error shape ({response.content[:200]!r})"
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_scope_matrix(client, world, operation):
    wrong = [
        problem
        for kind in KINDS
        for target in TARGETS
        if (problem := cell(client, world, operation, kind, target)) is not None
    ]
    assert not wrong, f"{operation}: {len(wrong)} wrong cells of {len(KINDS) * len(TARGETS)}:\n" + "\n".join(wrong)


def test_every_operation_of_the_openapi_document_has_its_rows():
    document = api.get_openapi_schema()
    documented = {
        operation["operationId"].removeprefix(PREFIX)
        for methods in document["paths"].values()
        for operation in methods.values()
    }
    in_matrix = {operation.operation_id for operation in OPERATIONS}
    assert documented - in_matrix == set(), "operations without a row in tests/api/scope_matrix.py"
    assert in_matrix - documented == set(), "rows naming no operation of the OpenAPI document"
