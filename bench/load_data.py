"""What the load benchmark needs in its database before the measure: the baseline's table, the
applicants' accounts, and drafts ready to be submitted (for the submit-only phase). Runs in the
benchmark's own process, with Django set up on the benchmark's settings."""

import copy
import uuid

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench import flow
from bench.urls import BASELINE_TABLE
from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierFile

PASSWORD = "Banc-d-essai-2026"  # noqa: S105 (accounts of a throw-away benchmark database)


def baseline_table_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} "
            "(id bigserial PRIMARY KEY, user_id integer NOT NULL, created_at timestamptz NOT NULL)"
        )


def accounts_create(count: int) -> list[str]:
    """`count` confirmed applicant accounts, all with PASSWORD; their emails."""
    emails = [f"usager-{index}@banc-essai.local" for index in range(count)]
    for email in emails:
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": "Camille", "last_name": "Banc", "email_confirmed_at": timezone.now()}
        )
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
    return emails


def _replay(client: Client, request: flow.Request):
    response = client.generic(request.method, request.path, request.body, content_type=request.content_type)
    if not request.accepts(response.status_code, response.get("Location", "")):
        raise RuntimeError(f"{request.name}: {response.status_code} {response.get('Location', '')}")
    return response


def draft_fill(user: User) -> Dossier:
    """A draft of `user` with every answer given, through the very requests of the flow."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    response = _replay(client, flow.start("unchecked"))
    dossier = flow.dossier_of(response["Location"])
    for request in flow.pages(dossier, "unchecked"):
        _replay(client, request)
    return Dossier.objects.get(pk=dossier)


@transaction.atomic
def drafts_prepare(emails: list[str], per_account: int) -> dict[str, list[int]]:
    """`per_account` drafts ready to submit for each account: one filled through the flow's
    requests, then copied (answers, attachments) so that preparing thousands takes seconds."""
    drafts: dict[str, list[int]] = {}
    for email in emails:
        user = User.objects.get(email=email)
        model = draft_fill(user)
        files = {str(stored.key): stored for stored in model.files.all()}
        copies, copied_files = [], []
        for _ in range(per_account - 1):
            answers = copy.deepcopy(model.answers)
            dossier = Dossier(
                procedure_id=model.procedure_id,
                version_id=model.version_id,
                applicant=user,
                answers=answers,
                resume_page=0,
            )
            for value in answers.values():
                for item in value if isinstance(value, list) else []:
                    if isinstance(item, dict) and item.get("key") in files:
                        original = files[item["key"]]
                        item["key"] = str(uuid.uuid4())
                        copied_files.append(
                            DossierFile(
                                dossier=dossier,
                                key=item["key"],
                                content=original.content.name,
                                name=original.name,
                                size=original.size,
                                content_type=original.content_type,
                                sha256=original.sha256,
                                uploaded_by=user,
                            )
                        )
            copies.append(dossier)
        Dossier.objects.bulk_create(copies, batch_size=500)
        for stored in copied_files:
            stored.dossier_id = stored.dossier.pk
        DossierFile.objects.bulk_create(copied_files, batch_size=500)
        drafts[email] = [model.pk, *(dossier.pk for dossier in copies)]
    return drafts
