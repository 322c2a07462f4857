"""Read replicas through HTTP (decision 0055), with replica1 reading the primary's test database:
the instructors' lists and counts, exports, the observatory and the API's lists are read there; a
dossier's page is not; whoever wrote (a browser by a cookie, an API key in the cache) reads the
primary for the next seconds; a lagging or lost replica leaves every page working on the primary.

Transactional tests: what they write is committed, so that the replica's own connection sees it."""

import logging

import pytest
from django.db import connections
from django.urls import reverse

from guichet.api.scopes import Scope
from guichet.core import replica_health
from guichet.core.models import AuditEvent
from guichet.core.read_your_writes import PIN_COOKIE
from guichet.core.replica_health import ReplicaStatus, replica_status
from guichet.dossiers.models import Dossier, DossierState
from guichet.instruction.exports import ExportFormat, export_columns_available, export_columns_chosen
from guichet.instruction.exports.jobs import export_job_create, export_job_run
from guichet.instruction.lists import ListFilters, Tab
from guichet.observatory.aggregation import observatory_aggregate
from guichet.observatory.models import ProcedureQuality, ProgrammeEntry
from tests.api.keys import bearer, person_key, service_account, service_key
from tests.core.replicas import BOTH, queries, replica_unreachable
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

pytestmark = [pytest.mark.django_db(databases=BOTH, transaction=True), pytest.mark.usefixtures("replicas_on")]

DOSSIERS = Dossier._meta.db_table


@pytest.fixture
def world():
    procedure = ProcedureFactory(title="Aide au permis de conduire", slug="aide-permis")
    alice = instructor_of(procedure, email="alice@instruction.fr")
    dossier = DossierFactory(procedure=procedure, submitted=True)
    return {"procedure": procedure, "alice": alice, "dossier": dossier}


def test_an_instructors_lists_and_counts_are_read_from_the_replica(client, world):
    client.force_login(world["alice"])
    with queries() as seen:
        page = client.get(reverse("agent:dossier_list", args=["aide-permis"]))
    assert page.status_code == 200
    assert world["dossier"].number in page.content.decode()
    assert seen.on_replica(DOSSIERS) and not seen.on_primary(DOSSIERS)
    assert any("COUNT(*)" in sql for sql in seen.replica)  # the tabs' counts
    with queries() as seen:
        home = client.get(reverse("agent:procedures"))
    assert "Aide au permis de conduire" in home.content.decode()
    assert seen.on_replica(DOSSIERS) and not seen.on_primary(DOSSIERS)


def test_a_dossiers_own_page_reads_the_primary(client, world):
    client.force_login(world["alice"])
    with queries() as seen:
        response = client.get(reverse("agent:dossier_detail", args=[world["dossier"].pk]))
    assert response.status_code == 200
    assert seen.replica == []


def test_who_just_wrote_sees_their_lists_from_the_primary_for_a_few_seconds(client, world, settings):
    settings.GUICHET_REPLICA_PIN_SECONDS = 15
    client.force_login(world["alice"])
    followed = client.post(reverse("agent:dossier_follow", args=[world["dossier"].pk]))
    assert followed.status_code == 302
    assert followed.cookies[PIN_COOKIE]["max-age"] == 15
    with queries() as seen:
        page = client.get(reverse("agent:dossier_list", args=["aide-permis"]) + "?onglet=suivis")
    assert world["dossier"].number in page.content.decode()
    assert seen.replica == [] and seen.on_primary(DOSSIERS)
    # A reading page sets no cookie: past the seconds, when the browser drops it, the replica again.
    assert PIN_COOKIE not in page.cookies
    del client.cookies[PIN_COOKIE]
    with queries() as seen:
        client.get(reverse("agent:dossier_list", args=["aide-permis"]))
    assert seen.on_replica(DOSSIERS)


def test_an_export_is_streamed_from_the_replica_and_the_workers_export_too(client, world):
    client.force_login(world["alice"])
    with queries() as seen:
        response = client.get(reverse("agent:list_export", args=["aide-permis", "csv"]) + "?onglet=tous")
        content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert world["dossier"].number in content
    assert seen.on_replica(DOSSIERS) and not seen.on_primary(f'FROM "{DOSSIERS}"')
    procedure = world["procedure"]
    columns = export_columns_chosen(
        procedure=procedure, ids=[c.id for c in export_columns_available(procedure=procedure) if c.field is None]
    )
    with queries() as seen:
        # The worker's task runs once the job is committed (at once in the tests), outside any request.
        job = export_job_create(
            actor=world["alice"],
            procedure=procedure,
            export_format=ExportFormat.CSV,
            filters=ListFilters(tab=Tab.ALL),
            columns=columns,
        )
    done = export_job_run(job_id=job.pk)
    assert done.rows_total == 1
    assert seen.on_replica(DOSSIERS) and not seen.on_primary(f'FROM "{DOSSIERS}"')


def test_the_observatory_is_computed_from_the_replica_and_shown_from_it(client, world):
    procedure = world["procedure"]
    ProgrammeEntry.objects.create(organisation=procedure.organisation, title=procedure.title, procedure=procedure)
    with queries() as seen:
        observatory_aggregate()
    assert seen.on_replica(DOSSIERS)
    assert not any(DOSSIERS in sql and "INSERT" not in sql for sql in seen.primary)
    assert ProcedureQuality.objects.using("default").count() == 1  # written on the primary
    with queries() as seen:
        page = client.get(reverse("observatoire:quality"))
    assert page.status_code == 200 and "Aide au permis de conduire" in page.content.decode()
    assert seen.on_replica(ProcedureQuality._meta.db_table) and not seen.on_primary(ProcedureQuality._meta.db_table)


def test_an_api_key_that_wrote_reads_the_primary_for_a_few_seconds(client, world):
    headers = bearer(person_key(world["alice"]))
    url = "/api/v1/instruction/procedures/aide-permis/dossiers"
    with queries() as seen:
        listed = client.get(url, headers=headers)
    assert [row["number"] for row in listed.json()["dossiers"]] == [world["dossier"].number]
    assert seen.on_replica(DOSSIERS)
    decided = client.post(
        f"/api/v1/instruction/dossiers/{world['dossier'].pk}/decision",
        {"decision": "start_instruction"},
        content_type="application/json",
        headers=headers,
    )
    assert decided.status_code == 200 and PIN_COOKIE not in decided.cookies  # the key is pinned, in the cache
    with queries() as seen:
        listed = client.get(url + "?state=in_instruction", headers=headers)
    assert [row["state"] for row in listed.json()["dossiers"]] == [DossierState.IN_INSTRUCTION]
    assert seen.replica == []
    # Another key (another client) is not pinned by it.
    with queries() as seen:
        client.get(url, headers=bearer(person_key(world["alice"])))
    assert seen.on_replica(DOSSIERS)


def test_a_lost_replica_leaves_the_lists_working_on_the_primary(client, world, caplog):
    client.force_login(world["alice"])
    with replica_unreachable(), caplog.at_level(logging.WARNING):
        page = client.get(reverse("agent:dossier_list", args=["aide-permis"]))
        assert page.status_code == 200 and world["dossier"].number in page.content.decode()
        ready = client.get("/sante/pret")
    assert "Replica replica1 unreachable" in caplog.text
    # The node still serves: its reads go to the primary.
    assert ready.status_code == 200
    assert ready.json()["statut"] == "pret"
    assert ready.json()["repliques"] == {"replica1": {"statut": "injoignable"}}


def test_a_replica_lost_during_a_page_is_read_again_on_the_primary(client, world, caplog):
    client.force_login(world["alice"])
    assert replica_status("replica1") == ReplicaStatus.OK  # known in step: the page will go there
    with replica_unreachable(), caplog.at_level(logging.WARNING):
        page = client.get(reverse("agent:dossier_list", args=["aide-permis"]))
    assert page.status_code == 200 and world["dossier"].number in page.content.decode()
    assert "read again on the primary" in caplog.text


def test_a_lagging_replica_is_reported_and_left_aside(client, world, settings, monkeypatch):
    settings.GUICHET_REPLICA_MAX_LAG_SECONDS = 5
    in_step = client.get("/sante/pret").json()
    assert in_step["repliques"] == {"replica1": {"statut": "ok", "retard_secondes": 0.0}}
    monkeypatch.setattr(replica_health, "replica_lag", lambda alias: 42.0)
    ready = client.get("/sante/pret")
    assert ready.status_code == 200
    assert ready.json()["repliques"] == {"replica1": {"statut": "en_retard", "retard_secondes": 42.0}}
    client.force_login(world["alice"])
    with queries() as seen:
        client.get(reverse("agent:dossier_list", args=["aide-permis"]))
    assert seen.replica == []


def test_a_service_accounts_calls_read_the_replica_until_it_writes(client, world):
    procedure = world["procedure"]
    account = service_account(
        procedure.organisation, [Scope.DOSSIERS_READ, Scope.DOSSIERS_INSTRUCT], procedures=[procedure]
    )
    headers = bearer(service_key(account))
    url = "/api/v1/instruction/procedures/aide-permis/dossiers"
    # Each call writes its audit event (bookkeeping): the list is read on the replica all the same.
    with queries() as seen:
        listed = client.get(url, headers=headers)
    assert [row["number"] for row in listed.json()["dossiers"]] == [world["dossier"].number]
    assert seen.on_replica(DOSSIERS) and seen.on_primary(AuditEvent._meta.db_table)
    decided = client.post(
        f"/api/v1/instruction/dossiers/{world['dossier'].pk}/decision",
        {"decision": "start_instruction"},
        content_type="application/json",
        headers=headers,
    )
    assert decided.status_code == 200
    with queries() as seen:
        client.get(url, headers=headers)
    assert seen.replica == []


def _replica_cancels_dossier_reads(execute, sql, params, many, context):
    """The replica cancels the list's query (as its replay does when it conflicts with a long read)."""
    if DOSSIERS not in sql:
        return execute(sql, params, many, context)
    if context["connection"].vendor == "postgresql":
        return execute("SELECT pg_cancel_backend(pg_backend_pid()), pg_sleep(5)", None, many, context)
    return execute("SELECT * FROM requete_annulee_par_la_replique", None, many, context)


def test_a_page_read_again_on_the_primary_says_things_once(client, world, caplog):
    client.force_login(world["alice"])
    with connections["replica1"].execute_wrapper(_replica_cancels_dossier_reads), caplog.at_level(logging.WARNING):
        page = client.get(reverse("agent:dossier_list", args=["aide-permis"]) + "?du=pas-une-date")
    assert "read again on the primary" in caplog.text
    assert page.status_code == 200 and world["dossier"].number in page.content.decode()
    assert page.content.decode().count("Certains filtres n’étaient pas valides") == 1


def test_the_observatory_reads_its_entries_on_the_primary_with_those_linked_in_the_round(world):
    """A procedure published before the observatory gets its entry during the round, on the primary:
    a replica does not hold it yet, so the entries the figures are written for are the primary's."""
    with queries() as seen:
        report = observatory_aggregate()
    assert report.linked == 1 and report.entries == 1
    assert seen.on_primary(ProgrammeEntry._meta.db_table)
    assert not seen.on_replica(ProgrammeEntry._meta.db_table)
    assert seen.on_replica(DOSSIERS)
