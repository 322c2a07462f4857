"""The load benchmark's flow (bench/flow.py) is the one the application accepts: replayed here with
the very bytes that locust sends, it files a dossier; the drafts prepared for the submit-only phase
can be submitted."""

import re

import pytest
from django.test import Client

from bench import flow
from bench.load_data import accounts_create, drafts_prepare
from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierState

pytestmark = pytest.mark.django_db


def replay(client: Client, request: flow.Request) -> str:
    response = client.generic(request.method, request.path, request.body, content_type=request.content_type)
    location = response.get("Location", "")
    errors = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))[-4000:]
    assert request.accepts(response.status_code, location), (request.name, response.status_code, location, errors)
    return location


def test_the_benchmark_flow_files_a_dossier(demo):
    (email,) = accounts_create(1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(email=email))
    client.get("/")  # the CSRF cookie, as the sign-in page gives it to the load generator
    csrf = client.cookies["csrftoken"].value

    dossier = flow.dossier_of(replay(client, flow.start(csrf)))
    for request in [*flow.pages(dossier, csrf), flow.submit(dossier, csrf), flow.confirmation(dossier)]:
        replay(client, request)

    filed = Dossier.objects.get(pk=dossier)
    assert filed.state == DossierState.SUBMITTED and filed.number
    assert filed.answers["motif_inscription"] == "majorite"
    assert filed.files.count() == 2


def test_the_prepared_drafts_are_submitted_by_the_submit_request(demo):
    emails = accounts_create(2)
    drafts = drafts_prepare(emails, 3)
    client = Client()
    client.force_login(User.objects.get(email=emails[1]))
    assert len(drafts[emails[1]]) == 3
    for dossier in drafts[emails[1]]:
        replay(client, flow.submit(dossier, "unchecked"))
    submitted = Dossier.objects.filter(pk__in=drafts[emails[1]], state=DossierState.SUBMITTED)
    assert submitted.count() == 3
    assert all(dossier.files.count() == 2 for dossier in submitted)
