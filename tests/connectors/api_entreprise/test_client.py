"""The API Entreprise connector against its stand-in: the identity read from the v3 body, the
mandatory parameters sent, and each failure typed so that the form falls back to typed input."""

import pytest

from guichet.connectors.api_entreprise.connector import ApiEntreprise
from guichet.connectors.base import ConnectorTimeout, ConnectorUnavailable
from guichet.connectors.data_sources import SourceAccess, SourceNotFound, SourceRateLimited, SourceUnauthorised
from guichet.connectors.http import HttpPolicy
from guichet.connectors.registry import connector_for

ACCESS = SourceAccess(
    token="stand-in-token", recipient="21450999400015", context="Aides publiques", object="Subvention"
)


def client(stand_in, timeout=2.0) -> ApiEntreprise:
    return ApiEntreprise(url=stand_in.url, policy=HttpPolicy(timeout=timeout, attempts=1))


def test_establishment_identity_with_the_mandatory_parameters(api_entreprise):
    identity = client(api_entreprise).establishment(siret="12345670900013", access=ACCESS)
    assert identity == {
        "siret": "12345670900013",
        "legal_name": "BOULANGERIE DES TROIS MOULINS",
        "address": "12 RUE DES MOULINS\n69002 LYON",
        "legal_form": "5710 – SAS, société par actions simplifiée",
        "activity_code": "10.71C – Boulangerie et boulangerie-pâtisserie",
        "administrative_status": "Active",
        "establishment_status": "Ouvert",
    }
    sent = api_entreprise.requests[-1]
    assert sent["path"] == "/v3/insee/sirene/etablissements/12345670900013"
    assert sent["query"]["recipient"] == ["21450999400015"]
    assert sent["query"]["context"] == ["Aides publiques"] and sent["query"]["object"] == ["Subvention"]
    assert sent["headers"]["Authorization"] == "Bearer stand-in-token"


def test_a_sole_trader_is_named_and_a_closed_establishment_says_so(api_entreprise):
    identity = client(api_entreprise).establishment(siret="12345672500019", access=ACCESS)
    assert identity["legal_name"] == "MARIE DURAND"
    assert (identity["administrative_status"], identity["establishment_status"]) == ("Cessée", "Fermé")


def test_unknown_establishment_is_not_found(api_entreprise):
    with pytest.raises(SourceNotFound, match="14003"):
        client(api_entreprise).establishment(siret="12345673300013", access=ACCESS)


def test_wrong_token_is_unauthorised(api_entreprise):
    access = SourceAccess(token="expired", recipient=ACCESS.recipient, context="x", object="y")
    with pytest.raises(SourceUnauthorised):
        client(api_entreprise).establishment(siret="12345670900013", access=access)


def test_rate_limited_with_retry_after(api_entreprise):
    api_entreprise.rate_limit = 2
    api = client(api_entreprise)
    api.establishment(siret="12345670900013", access=ACCESS)
    api.establishment(siret="12345670900013", access=ACCESS)
    with pytest.raises(SourceRateLimited) as raised:
        api.establishment(siret="12345670900013", access=ACCESS)
    assert 0 < raised.value.retry_after <= 61


def test_slow_source_times_out_once(api_entreprise):
    api_entreprise.slow_seconds, api_entreprise.script = 1.0, ["slow"]
    with pytest.raises(ConnectorTimeout):
        client(api_entreprise, timeout=0.2).establishment(siret="12345670900013", access=ACCESS)
    assert len(api_entreprise.requests) == 1  # the applicant waits: never tried twice


@pytest.mark.parametrize("step", ["down", "reset"])
def test_down_source_is_unavailable(api_entreprise, step):
    api_entreprise.script = [step]
    with pytest.raises(ConnectorUnavailable):
        client(api_entreprise).establishment(siret="12345670900013", access=ACCESS)


def test_registry_picks_the_api_then_the_demo_then_nothing(settings, api_entreprise):
    settings.GUICHET_API_ENTREPRISE_URL, settings.GUICHET_DATA_SOURCES_DEMO = api_entreprise.url, True
    assert isinstance(connector_for("company_data"), ApiEntreprise)
    settings.GUICHET_API_ENTREPRISE_URL = ""
    demo = connector_for("company_data")
    assert demo.name == "api_entreprise_demo"
    assert demo.establishment(siret="12345670900013", access=ACCESS)["legal_name"] == "BOULANGERIE DES TROIS MOULINS"
    settings.GUICHET_DATA_SOURCES_DEMO = False
    assert connector_for("company_data") is None
