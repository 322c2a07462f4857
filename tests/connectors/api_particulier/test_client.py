"""The API Particulier connector against its stand-in: the civil identity and `recipient` sent, the
token in the header only, the three data read, and the failures typed."""

import datetime as dt

import pytest

from guichet.connectors.api_particulier.connector import ApiParticulier
from guichet.connectors.base import ConnectorTimeout, ConnectorUnavailable
from guichet.connectors.data_sources import PivotIdentity, SourceAccess, SourceNotFound, SourceRateLimited
from guichet.connectors.http import HttpPolicy
from guichet.core.clock import clock_set

ACCESS = SourceAccess(token="stand-in-token", recipient="21450999400015", context="", object="")
CAMILLE = PivotIdentity(
    given_names=("CAMILLE", "ANNE"), family_name="MARTIN", birthdate=dt.date(1988, 3, 14), sex="F",
    birthplace="45234", birthcountry="99100",
)  # fmt: skip


def client(stand_in, timeout=2.0) -> ApiParticulier:
    return ApiParticulier(url=stand_in.url, policy=HttpPolicy(timeout=timeout, attempts=1))


def test_family_quotient_asked_with_the_civil_identity(api_particulier):
    assert client(api_particulier).individual_datum(datum="family_quotient", person=CAMILLE, access=ACCESS) == 850
    sent = api_particulier.requests[-1]
    assert sent["path"] == "/v3/dss/quotient_familial/identite"
    assert sent["query"]["prenoms[]"] == ["CAMILLE", "ANNE"] and sent["query"]["nomNaissance"] == ["MARTIN"]
    assert sent["query"]["recipient"] == ["21450999400015"] and "token" not in sent["query"]
    assert sent["headers"]["Authorization"] == "Bearer stand-in-token"


def test_student_and_job_seeker_status_as_of_today(api_particulier):
    api = client(api_particulier)
    with clock_set(dt.date(2026, 12, 7)):
        assert api.individual_datum(datum="student_status", person=CAMILLE, access=ACCESS) is True
        assert api.individual_datum(datum="job_seeker_status", person=CAMILLE, access=ACCESS, identifier="1234567A")
    with clock_set(dt.date(2027, 9, 15)):  # the academic year is over
        assert api.individual_datum(datum="student_status", person=CAMILLE, access=ACCESS) is False


def test_job_seeker_status_is_asked_by_identifier_and_must_name_the_person(api_particulier):
    """France Travail's status is published only `/identifiant`: the identifier goes alone (no
    civil identity), and an answer about somebody else is not the applicant's."""
    api = client(api_particulier)
    with clock_set(dt.date(2026, 12, 7)):
        assert api.individual_datum(datum="job_seeker_status", person=CAMILLE, access=ACCESS, identifier="1234567A")
    sent = api_particulier.requests[-1]
    assert sent["path"] == "/v3/france_travail/statut/identifiant"
    assert sent["query"] == {"identifiant": ["1234567A"], "recipient": ["21450999400015"]}
    with pytest.raises(SourceNotFound, match="24003"):
        api.individual_datum(datum="job_seeker_status", person=CAMILLE, access=ACCESS, identifier="7654321B")
    someone_else = PivotIdentity(("CAMILLE",), "MARTINEZ", dt.date(1988, 3, 14), "F", "45234", "99100")
    with pytest.raises(SourceNotFound, match="ne correspond pas"):
        api.individual_datum(datum="job_seeker_status", person=someone_else, access=ACCESS, identifier="1234567A")
    accented = PivotIdentity(("Camille",), "Martín", dt.date(1988, 3, 14), "F", "45234", "99100")
    with clock_set(dt.date(2026, 12, 7)):
        assert api.individual_datum(datum="job_seeker_status", person=accented, access=ACCESS, identifier="1234567A")


def test_published_rate_limits_per_token_and_per_address(api_particulier):
    """20 requests a second per token and 1,000 a minute per address: the stand-in starts with them,
    and either limit alone answers 429 with its `RateLimit-*` headers and `Retry-After`."""
    assert (api_particulier.rate_limit, api_particulier.rate_window) == (20, 1)
    assert (api_particulier.ip_limit, api_particulier.ip_window) == (1000, 60)
    api_particulier.rate_limit, api_particulier.ip_limit = 1000, 2  # the address's limit binds
    api = client(api_particulier)
    api.individual_datum(datum="family_quotient", person=CAMILLE, access=ACCESS)
    api.individual_datum(datum="family_quotient", person=CAMILLE, access=ACCESS)
    with pytest.raises(SourceRateLimited, match="par adresse IP") as limited:
        api.individual_datum(datum="family_quotient", person=CAMILLE, access=ACCESS)
    assert 0 < limited.value.retry_after <= 60


def test_unknown_person_is_not_found(api_particulier):
    someone = PivotIdentity(("JEAN",), "INCONNU", dt.date(1970, 1, 1), "M", "", "99100")
    with pytest.raises(SourceNotFound, match="37003"):
        client(api_particulier).individual_datum(datum="family_quotient", person=someone, access=ACCESS)


def test_rate_limited_and_slow(api_particulier):
    api_particulier.rate_limit = 1
    api = client(api_particulier, timeout=0.2)
    api.individual_datum(datum="family_quotient", person=CAMILLE, access=ACCESS)
    with pytest.raises(SourceRateLimited):
        api.individual_datum(datum="family_quotient", person=CAMILLE, access=ACCESS)
    api_particulier.rate_limit, api_particulier.slow_seconds, api_particulier.script = 100, 1.0, ["slow"]
    with pytest.raises(ConnectorTimeout):
        api.individual_datum(datum="family_quotient", person=CAMILLE, access=ACCESS)


def test_a_failure_never_carries_the_persons_identity(api_particulier):
    """The failure's message goes to the logs and the audit: the civil identity sent in the query
    (names, birth date, birthplace) stays out of it."""
    api_particulier.slow_seconds, api_particulier.script = 1.0, ["slow"]
    with pytest.raises(ConnectorTimeout) as timeout:
        client(api_particulier, timeout=0.2).individual_datum(datum="family_quotient", person=CAMILLE, access=ACCESS)
    down = ApiParticulier(url="http://127.0.0.1:9", policy=HttpPolicy(timeout=0.5, attempts=1))
    with pytest.raises(ConnectorUnavailable) as unreachable:
        down.individual_datum(datum="family_quotient", person=CAMILLE, access=ACCESS)
    for error in (timeout.value, unreachable.value):
        message = f"{error} {error.__cause__ or ''} {error.__context__ or ''}"
        assert "quotient_familial" in str(error)
        assert not any(secret in message for secret in ("MARTIN", "CAMILLE", "1988", "45234")), message
