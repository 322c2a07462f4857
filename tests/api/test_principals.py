"""Who calls the API and what it reaches: a person's key with the person's rights, a service
account's key with its scopes and procedures; outside its reach 404, inside without the scope 403."""

import pytest
from ninja.errors import HttpError

from guichet.api.principals import Principal
from guichet.api.scopes import Scope
from guichet.dossiers.models import Dossier
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

from .keys import service_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ministry = OrganisationFactory()
    service = OrganisationFactory(parent=ministry)
    elsewhere = OrganisationFactory()
    own = ProcedureFactory(organisation=ministry)
    sub = ProcedureFactory(organisation=service)
    foreign = ProcedureFactory(organisation=elsewhere)
    return {
        "ministry": ministry,
        "own": own,
        "sub": sub,
        "foreign": foreign,
        "dossiers": {
            key: DossierFactory(procedure=p, submitted=True)
            for key, p in [("own", own), ("sub", sub), ("foreign", foreign)]
        },
        "draft": DossierFactory(procedure=own),
    }


def status_of(call) -> int:
    try:
        call()
    except HttpError as error:
        return error.status_code
    return 200


def test_a_service_account_reaches_its_organisation_and_those_below(world):
    principal = Principal.of_service_account(service_account(world["ministry"], [Scope.DOSSIERS_READ]))
    assert set(principal.procedures()) == {world["own"], world["sub"]}
    assert set(principal.dossiers(Scope.DOSSIERS_READ)) == {world["dossiers"]["own"], world["dossiers"]["sub"]}
    assert not principal.dossiers(Scope.DOSSIERS_INSTRUCT).exists()
    assert principal.label == f"Compte de service : Logiciel métier ({world['ministry'].name})"
    assert principal.user is None and principal.allows(Scope.DOSSIERS_READ)
    assert not principal.allows(Scope.DOSSIERS_INSTRUCT)
    own, foreign, draft = world["dossiers"]["own"], world["dossiers"]["foreign"], world["draft"]
    assert principal.dossier_or_404(own.pk, Scope.DOSSIERS_READ) == own
    assert status_of(lambda: principal.dossier_or_404(own.pk, Scope.DOSSIERS_INSTRUCT)) == 403
    assert status_of(lambda: principal.dossier_or_404(foreign.pk, Scope.DOSSIERS_READ)) == 404
    assert status_of(lambda: principal.dossier_or_404(foreign.pk, Scope.DOSSIERS_INSTRUCT)) == 404
    assert status_of(lambda: principal.dossier_or_404(draft.pk, Scope.DOSSIERS_READ)) == 404
    assert principal.procedure_or_404(world["own"].slug, Scope.DOSSIERS_READ) == world["own"]
    assert principal.procedure_or_404(world["sub"].pk, Scope.DOSSIERS_READ) == world["sub"]
    assert status_of(lambda: principal.procedure_or_404(world["foreign"].slug, Scope.DOSSIERS_READ)) == 404
    assert status_of(lambda: principal.procedure_or_404(world["own"].slug, Scope.STATISTICS_READ)) == 403


def test_a_service_account_limited_to_some_procedures_reaches_those_only(world):
    account = service_account(world["ministry"], [Scope.DOSSIERS_READ], procedures=[world["sub"]])
    principal = Principal.of_service_account(account)
    assert list(principal.procedures()) == [world["sub"]]
    assert status_of(lambda: principal.dossier_or_404(world["dossiers"]["own"].pk, Scope.DOSSIERS_READ)) == 404


def test_a_person_s_key_has_the_person_s_rights(world):
    alice = instructor_of(world["own"])
    principal = Principal.of_person(alice)
    assert principal.label == alice.email and principal.user == alice and principal.service_account is None
    assert list(principal.procedures()) == [world["own"]]
    assert list(principal.dossiers(Scope.DOSSIERS_INSTRUCT)) == [world["dossiers"]["own"]]
    assert not principal.allows(Scope.STATISTICS_READ) and not principal.allows(Scope.DOSSIERS_CREATE)
    assert status_of(lambda: principal.dossier_or_404(world["dossiers"]["own"].pk, Scope.DOSSIERS_CREATE)) == 403
    assert status_of(lambda: principal.dossier_or_404(world["dossiers"]["sub"].pk, Scope.DOSSIERS_READ)) == 404
    nobody = Principal.of_person(UserFactory())
    assert not nobody.procedures().exists() and not nobody.allows(Scope.DOSSIERS_READ)
    assert Dossier.objects.filter(pk__in=nobody.dossiers(Scope.DOSSIERS_READ)).count() == 0
