"""How many SQL statements each request of the applicant's flow sends (the load benchmark's browser
flow, bench/flow.py: start, each page shown then sent, the summary, filing, the confirmation), so
that what was saved stays saved (issue 22, decision 0056). Under the tests' settings: sessions in the
database (one more statement on each request than with Redis), transaction control counted."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench import flow
from bench.load_data import accounts_create
from guichet.accounts.models import User
from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import Dossier, DossierState

pytestmark = pytest.mark.django_db

# What follows the filing (the receipt, the emails) is the task worker's, not the request's: kept
# waiting here, as in production, instead of run at once as elsewhere in the tests.
WAITING_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "emails"]}}

# Statements per request, in the flow's order.
STATEMENTS = {
    "01 commencer": 7,
    "02 page 1 (affichage)": 3,
    "03 page 1": 6,
    "04 page 2 (affichage)": 2,
    "05 page 2": 6,
    "06 page 3 (affichage)": 2,
    "07 page 3": 6,
    "08 page 4 (affichage)": 2,
    "09 page 4": 10,
    "10 recapitulatif (affichage)": 2,
    "11 deposer": 13,  # the search vector written by the filing's own UPDATE on PostgreSQL
    "12 confirmation": 2,
}


def _send(client: Client, request: flow.Request) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.generic(request.method, request.path, request.body, content_type=request.content_type)
    assert request.accepts(response.status_code, response.get("Location", "")), (request.name, response.status_code)
    return len(queries)


# Committed as in production (no test transaction around the requests): starting a dossier needs no
# savepoint of its own then.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=WAITING_TASKS)
def test_each_request_of_the_browser_flow_sends_no_more_statements_than_pinned(demo):
    (email,) = accounts_create(1)
    client = Client()
    client.force_login(User.objects.get(email=email))
    client.get("/")  # the CSRF cookie and a session already saved, as in the benchmark
    warm = flow.start("unused")
    client.generic(warm.method, warm.path, warm.body, content_type=warm.content_type)  # forms read once

    start = flow.start("unused")
    counts = {}
    with CaptureQueriesContext(connection) as queries:
        response = client.generic(start.method, start.path, start.body, content_type=start.content_type)
    counts["01 commencer"] = len(queries)
    dossier = flow.dossier_of(response["Location"])
    for request in flow.browser_flow(dossier, "unused"):
        counts[request.name] = _send(client, request)

    assert counts == STATEMENTS
    # What the flow does stays what it did: the answers, the files, the filing and its events.
    filed = Dossier.objects.get(pk=dossier)
    assert filed.state == DossierState.SUBMITTED and filed.number and filed.files.count() == 2
    actions = list(AuditEvent.objects.filter(object_id=str(dossier)).values_list("action", flat=True))
    assert actions.count(AuditAction.DOSSIER_ANSWERS_SAVE) == 4
    assert actions.count(AuditAction.DOSSIER_FILE_STORE) == 2
