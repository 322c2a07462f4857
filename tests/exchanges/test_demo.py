"""The demonstration: the town hall's « EtatCivil » requests, deposited on the stand-in HubEE that
`make run` starts, become dossiers of its birth certificate procedure."""

from guichet.connectors.hubee.client import tokens_forget
from guichet.demo.hubee_cases import PROCEDURE_SLUG
from guichet.dossiers.models import DossierState
from guichet.exchanges.models import ReceivedCase
from guichet.exchanges.receiving import hubee_poll
from tests.connectors.hubee.demo_cases import demo_hub
from tests.connectors.hubee.stand_in import stand_in_start


def test_the_demo_requests_become_dossiers(demo, settings, django_capture_on_commit_callbacks):
    tokens_forget()
    stand_in = stand_in_start(hub=demo_hub())
    try:
        settings.GUICHET_HUBEE_API_URL = stand_in.api_url
        settings.GUICHET_HUBEE_TOKEN_URL = stand_in.token_url
        with django_capture_on_commit_callbacks(execute=True):
            report = hubee_poll()
    finally:
        stand_in.server.shutdown()
        stand_in.server.server_close()
        tokens_forget()
    assert (report.received, report.rejected, report.failures) == (3, 0, [])
    dossiers = [case.dossier for case in ReceivedCase.objects.select_related("dossier__procedure")]
    assert {dossier.procedure.slug for dossier in dossiers} == {PROCEDURE_SLUG}
    assert all(dossier.state == DossierState.SUBMITTED for dossier in dossiers)
    names = sorted(dossier.answers["titulaire_nom"] for dossier in dossiers)
    assert names == ["Bertrand", "Fontaine", "Marchand"]
    assert {case["status"] for case in stand_in.hub.cases.values()} == {"SI_RECEIVED"}


def test_the_demo_stand_in_restarted_holds_the_same_cases(demo, settings, django_capture_on_commit_callbacks):
    reports = []
    for _ in range(2):  # `make run` twice: the stand-in starts again with the same requests
        tokens_forget()
        stand_in = stand_in_start(hub=demo_hub())
        try:
            settings.GUICHET_HUBEE_API_URL = stand_in.api_url
            settings.GUICHET_HUBEE_TOKEN_URL = stand_in.token_url
            with django_capture_on_commit_callbacks(execute=True):
                reports.append(hubee_poll())
        finally:
            stand_in.server.shutdown()
            stand_in.server.server_close()
    tokens_forget()
    assert [(report.received, report.repeated) for report in reports] == [(3, 0), (0, 3)]
    assert ReceivedCase.objects.count() == 3
