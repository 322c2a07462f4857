"""The dossiers' resources of the API (api/dossiers.py, api/procedures_api.py) with a service
account's key and an instructor's: procedures and their versions, the list's filters and keyset
pages, the changes feed, one dossier with its typed answers and downloads, the exports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guichet.dossiers.files import dossier_file_store, file_answer
from guichet.dossiers.models import Dossier, DossierSnapshot
from guichet.dossiers.services import dossier_submit
from guichet.instruction.exports.jobs import export_job_run
from guichet.instruction.models import ExportJob
from guichet.instruction.services import dossier_labels_set
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, instructor_of
from tests.samples import minimal_pdf

from .keys import bearer, person_key, service_account, service_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    organisation = OrganisationFactory()
    procedure = ProcedureFactory(organisation=organisation, slug="aide-velo")
    foreign = DossierFactory(procedure=ProcedureFactory(), submitted=True)
    dossiers = [DossierFactory(procedure=procedure, submitted=True) for _ in range(5)]
    account = service_account(organisation, ["dossiers:read", "exports:read"])
    return {
        "procedure": procedure,
        "dossiers": dossiers,
        "foreign": foreign,
        "headers": bearer(service_key(account)),
    }


def test_procedures_and_the_document_of_a_published_version(client, world):
    headers = world["headers"]
    listed = client.get("/api/v1/procedures", headers=headers).json()
    assert [p["slug"] for p in listed] == ["aide-velo"]
    detail = client.get("/api/v1/procedures/aide-velo", headers=headers).json()
    assert [v["number"] for v in detail["versions"]] == [1]
    document = client.get(detail["versions"][0]["document"], headers=headers).json()
    assert document["document"]["format"] == "guichet.procedure/1"
    assert document["document"]["definition"]["pages"][0]["fields"][0]["id"] == "objet"
    assert client.get("/api/v1/procedures/aide-velo/versions/9", headers=headers).status_code == 404
    foreign = world["foreign"].procedure.slug
    assert client.get(f"/api/v1/procedures/{foreign}", headers=headers).status_code == 404


def test_the_list_filters_and_pages_through_every_dossier_once(client, world):
    headers = world["headers"]
    dossier = world["dossiers"][0]
    dossier_labels_set(actor=instructor_of(world["procedure"]), dossier=dossier, names=["Urgent"])
    seen, url = [], "/api/v1/dossiers?limit=2"
    while url:
        page = client.get(url, headers=headers).json()
        seen += page["dossiers"]
        url = page["next"]
    assert sorted(d["id"] for d in seen) == sorted(d.pk for d in world["dossiers"])  # not the foreign one
    order = [(d["submitted_at"], d["id"]) for d in seen]
    assert order == sorted(order, reverse=True)
    labelled = client.get("/api/v1/dossiers", {"label": "urgent"}, headers=headers).json()["dossiers"]
    assert [d["id"] for d in labelled] == [dossier.pk] and labelled[0]["labels"] == ["Urgent"]
    assert client.get("/api/v1/dossiers", {"state": "accepted"}, headers=headers).json()["dossiers"] == []
    today = timezone.localdate(dossier.submitted_at).isoformat()  # the filing day in France, as the API reads it
    dated = client.get("/api/v1/dossiers", {"submitted_from": today, "submitted_to": today}, headers=headers)
    assert len(dated.json()["dossiers"]) == 5
    refused = client.get("/api/v1/dossiers", {"cursor": "nimportequoi"}, headers=headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["query", "cursor"]


def test_the_changes_feed_gives_each_changed_dossier_and_a_cursor_to_continue(client, world):
    headers = world["headers"]
    first = client.get("/api/v1/dossiers/changes", headers=headers).json()
    assert {d["id"] for d in first["dossiers"]} == {d.pk for d in world["dossiers"]}
    assert first["more"] is False
    again = client.get(first["next"], headers=headers).json()
    assert again["dossiers"] == []
    changed = world["dossiers"][2]
    dossier_labels_set(actor=instructor_of(world["procedure"]), dossier=changed, names=["Pièce manquante"])
    dossier_labels_set(actor=instructor_of(world["foreign"].procedure), dossier=world["foreign"], names=["Ailleurs"])
    after = client.get("/api/v1/dossiers/changes", {"since": again["cursor"]}, headers=headers).json()
    assert [(d["id"], d["labels"]) for d in after["dossiers"]] == [(changed.pk, ["Pièce manquante"])]
    bad = client.get("/api/v1/dossiers/changes", {"since": "pas-un-curseur"}, headers=headers)
    assert bad.status_code == 422


def test_one_dossier_with_its_typed_answers_files_acts_and_log(client, world, private_disk):
    procedure = world["procedure"]
    dossier = DossierFactory(procedure=procedure)
    stored = dossier_file_store(
        actor=dossier.applicant,
        dossier=dossier,
        uploaded=SimpleUploadedFile("devis.pdf", minimal_pdf()),
    )
    dossier.answers = {"objet": "Un vélo", "piece": file_answer(stored)}
    Dossier.objects.filter(pk=dossier.pk).update(answers=dossier.answers)
    dossier_submit(actor=dossier.applicant, dossier=dossier)
    headers = world["headers"]
    body = client.get(f"/api/v1/dossiers/{dossier.pk}", headers=headers).json()
    assert body["answers"] == [
        {
            "field_id": "objet",
            "page": "demande",
            "type": "text",
            "label": "Objet de la demande",
            "value": "Un vélo",
            "columns": None,
            "source_note": None,
        }
    ]
    assert [f["name"] for f in body["files"]] == ["devis.pdf"]
    assert [t["transition"] for t in body["transitions"]] == ["submit"]
    download = client.get(body["files"][0]["download"], headers=headers)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(f"/api/v1/dossiers/{dossier.pk}/files/{'0' * 32}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/dossiers/{world['foreign'].pk}", headers=headers).status_code == 404
    assert DossierSnapshot.objects.filter(dossier=dossier).exists()


def test_an_export_is_started_followed_and_downloaded(client, world, django_capture_on_commit_callbacks):
    headers = world["headers"]
    started = client.post(
        "/api/v1/procedures/aide-velo/exports", {"format": "csv"}, content_type="application/json", headers=headers
    )
    assert started.status_code == 202, started.content
    job = ExportJob.objects.get(pk=started.json()["id"])
    assert job.actor is None and job.api_owner.startswith("service:")
    assert client.get(f"/api/v1/exports/{job.pk}/file", headers=headers).status_code == 404  # not ready yet
    export_job_run(job_id=job.pk)
    followed = client.get(started.json()["url"], headers=headers).json()
    assert followed["status"] == "done" and followed["rows_total"] == 5
    content = b"".join(client.get(followed["download"], headers=headers).streaming_content).decode("utf-8-sig")
    assert all(d.number in content for d in world["dossiers"]) and world["foreign"].number not in content
    # Another key, even of the same organisation, does not see it.
    other = bearer(person_key(instructor_of(world["procedure"])))
    assert client.get(started.json()["url"], headers=other).status_code == 404
