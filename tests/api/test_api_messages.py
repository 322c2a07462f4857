"""Messages to the applicant through the API (`POST /api/v1/dossiers/{id}/messages`, multipart):
a body and several files, each checked like the screens' uploads (type from the content, size,
active PDF content, antivirus); one refused and nothing is sent. With a service account's key and
an instructor's own key; the applicant and the back office see every file."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import DossierFile, Message
from guichet.instruction.messages import MESSAGE_ATTACHMENTS_MAX
from tests.api.keys import bearer, person_key, service_account, service_key
from tests.factories import DossierFactory, ProcedureFactory, instructor_of
from tests.samples import EICAR, minimal_pdf, pdf_with_javascript

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    + (b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
)


@pytest.fixture
def world():
    procedure = ProcedureFactory()
    alice = instructor_of(procedure, first_name="Alice", last_name="Martin")
    account = service_account(procedure.organisation, ["messages:write", "dossiers:read"], name="GED")
    return {
        "procedure": procedure,
        "alice": alice,
        "service": bearer(service_key(account)),
        "person": bearer(person_key(alice)),
        "label": account.label,
    }


@pytest.fixture(params=["service", "person"])
def caller(request, world):
    label = world["label"] if request.param == "service" else world["alice"].email
    return {"headers": world[request.param], "label": label, "kind": request.param}


def send(client, dossier, headers, body="Voici les pièces.", files=()):
    data = {"body": body, "attachments": [SimpleUploadedFile(name, content) for name, content in files]}
    return client.post(f"/api/v1/dossiers/{dossier.pk}/messages", data, headers=headers)


def test_a_message_with_several_attachments_reaches_the_applicant(
    client, world, caller, private_disk, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(procedure=world["procedure"], in_instruction=True)
    files = [("courrier.pdf", minimal_pdf()), ("plan.png", PNG), ("annexe.pdf", minimal_pdf())]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send(client, dossier, caller["headers"], files=files)
    assert sent.status_code == 200, sent.content
    attachments = sent.json()["attachments"]
    assert [(a["name"], a["size"], a["content_type"]) for a in attachments] == [
        ("courrier.pdf", len(minimal_pdf()), "application/pdf"),
        ("plan.png", len(PNG), "image/png"),
        ("annexe.pdf", len(minimal_pdf()), "application/pdf"),
    ]
    message = Message.objects.get(dossier=dossier)
    assert [file.name for file in message.files] == ["courrier.pdf", "plan.png", "annexe.pdf"]
    assert message.author_role == Message.AuthorRole.INSTRUCTOR
    if caller["kind"] == "service":
        assert message.author is None and message.author_label == world["label"]
    assert [dossier.applicant.email] in [email.to for email in mail.outbox]
    event = AuditEvent.objects.filter(action=AuditAction.DOSSIER_MESSAGE_SEND).get()
    assert event.actor_label == caller["label"] and len(event.details["attachments"]) == 3
    assert AuditEvent.objects.filter(action=AuditAction.DOSSIER_FILE_STORE, actor_label=caller["label"]).count() == 3

    # Each file is read back through the API, as sent.
    if caller["kind"] == "service":
        png = client.get(f"/api/v1/dossiers/{dossier.pk}/files/{attachments[1]['key']}", headers=caller["headers"])
        assert png.status_code == 200 and b"".join(png.streaming_content) == PNG

    # The back office and the applicant see every file of the message.
    client.force_login(world["alice"])
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert all(name in page for name in ("courrier.pdf", "plan.png", "annexe.pdf"))
    client.force_login(dossier.applicant)
    own = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    for attachment in attachments:
        assert reverse("usager:dossier_file", args=[dossier.pk, attachment["key"]]) in own


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("piege.pdf", pdf_with_javascript(), "code JavaScript"),
        ("page.html", b"<html><script>alert(1)</script></html>", "n’est pas d’un type accepté"),
        ("vide.pdf", b"", "vide"),
    ],
)
def test_one_refused_attachment_among_several_sends_nothing(client, world, private_disk, name, content, reason):
    dossier = DossierFactory(procedure=world["procedure"], in_instruction=True)
    refused = send(client, dossier, world["service"], files=[("courrier.pdf", minimal_pdf()), (name, content)])
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["loc"] == ["body", "attachments"] and name in error["msg"] and reason in error["msg"]
    assert not Message.objects.filter(dossier=dossier).exists()
    assert not DossierFile.objects.filter(dossier=dossier).exists()  # not even the good one


def test_the_antivirus_checks_every_attachment(client, world, private_disk, clamd, settings):
    settings.GUICHET_CLAMAV_ADDRESS = clamd.unix
    dossier = DossierFactory(procedure=world["procedure"], in_instruction=True)
    refused = send(client, dossier, world["service"], files=[("plan.png", PNG), ("eicar.txt", EICAR)])
    assert refused.status_code == 422 and "virus" in refused.json()["errors"][0]["msg"]
    assert not Message.objects.filter(dossier=dossier).exists()
    assert not DossierFile.objects.filter(dossier=dossier).exists()


def test_too_many_attachments_or_another_field_are_refused(client, world, private_disk):
    dossier = DossierFactory(procedure=world["procedure"], in_instruction=True)
    many = [(f"piece-{rank}.png", PNG) for rank in range(MESSAGE_ATTACHMENTS_MAX + 1)]
    assert send(client, dossier, world["service"], files=many).status_code == 422
    odd = client.post(
        f"/api/v1/dossiers/{dossier.pk}/messages",
        {"body": "Voici.", "fichier": SimpleUploadedFile("plan.png", PNG)},
        headers=world["service"],
    )
    assert odd.status_code == 422 and odd.json()["errors"][0]["loc"] == ["body", "attachments"]
    assert not Message.objects.filter(dossier=dossier).exists()
    # Without any file, a message is a message.
    plain = send(client, dossier, world["service"], body="Sans pièce jointe.")
    assert plain.status_code == 200 and plain.json()["attachments"] == []


def test_an_empty_message_is_refused_with_its_place(client, world):
    dossier = DossierFactory(procedure=world["procedure"], in_instruction=True)
    refused = client.post(f"/api/v1/dossiers/{dossier.pk}/messages", {"body": "   "}, headers=world["service"])
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"][:2] == ["body", "body"]
    assert not Message.objects.exists()
