"""The workflow's table is the one source of what may happen: the instructor's decision buttons, the
bulk actions and the API offer exactly what it allows, for every state, and refuse the rest."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guichet.api.services import api_token_create
from guichet.dossiers.models import Dossier, DossierState, TransitionLog, TransitionName
from guichet.dossiers.workflow import TRANSITIONS
from guichet.instruction.bulk import bulk_action_create, bulk_action_run
from guichet.instruction.models import BulkAction
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

pytestmark = pytest.mark.django_db
Role = TransitionLog.ActorRole
FILED_STATES = [state for state in DossierState if state != DossierState.DRAFT]


def allowed(name: TransitionName, state: DossierState, role: Role = Role.INSTRUCTOR) -> bool:
    transition = TRANSITIONS[name]
    return role in transition.roles and state in transition.sources


def dossier_in(state: DossierState):
    procedure = ProcedureFactory()
    dossier = DossierFactory(procedure=procedure, target_state=str(state))
    return dossier, instructor_of(procedure)


@pytest.mark.parametrize("state", FILED_STATES)
def test_the_dossier_page_offers_the_instructor_exactly_what_the_table_allows(client, state):
    dossier, instructor = dossier_in(state)
    client.force_login(instructor)
    html = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    offered = {name for name in TransitionName if f'value="{name.value}"' in html}
    assert offered == {name for name in TransitionName if allowed(name, state)}
    for name in TransitionName:  # and the page refuses what it does not offer
        other, instructor = dossier_in(state)
        client.force_login(instructor)
        response = client.post(
            reverse("agent:dossier_decision", args=[other.pk]), {"decision": name.value, "motivation": "Motif."}
        )
        assert (response.status_code == 302) == allowed(name, state), (name, state)
        assert Dossier.objects.get(pk=other.pk).state == (TRANSITIONS[name].target if allowed(name, state) else state)


@pytest.mark.parametrize("state", FILED_STATES)
def test_bulk_actions_apply_a_transition_exactly_where_the_table_allows_it(state):
    bulk_transitions = [TransitionName(action) for action in BulkAction.Action.values if action in TransitionName]
    assert all(Role.INSTRUCTOR in TRANSITIONS[name].roles for name in bulk_transitions)
    for name in bulk_transitions:
        dossier, instructor = dossier_in(state)
        bulk = bulk_action_create(
            actor=instructor, procedure=dossier.procedure, action=name.value, dossier_ids=[dossier.pk], text="Motif."
        )
        outcome = bulk_action_run(bulk_id=bulk.pk).outcomes[str(dossier.pk)]
        assert (outcome == "") == allowed(name, state), (name, state, outcome)


def test_a_bulk_decision_needs_the_motivation_the_table_requires():
    dossier, instructor = dossier_in(DossierState.IN_INSTRUCTION)
    for action in BulkAction.Action.values:
        if action in TransitionName and TRANSITIONS[TransitionName(action)].motivation_required:
            with pytest.raises(ValidationError, match="motivation est obligatoire"):
                bulk_action_create(
                    actor=instructor, procedure=dossier.procedure, action=action, dossier_ids=[dossier.pk]
                )


@pytest.mark.parametrize("state", FILED_STATES)
def test_the_api_decides_exactly_what_the_table_allows(client, state):
    for name in TransitionName:
        dossier, instructor = dossier_in(state)
        headers = {"Authorization": f"Bearer {api_token_create(actor=instructor, name='Logiciel').key}"}
        response = client.post(
            f"/api/v1/instruction/dossiers/{dossier.pk}/decision",
            {"decision": name.value, "motivation": "Motif."},
            content_type="application/json",
            headers=headers,
        )
        if allowed(name, state):
            assert response.status_code == 200 and response.json()["state"] == TRANSITIONS[name].target
        elif Role.INSTRUCTOR not in TRANSITIONS[name].roles:
            assert response.status_code == 422, (name, state)
        else:
            assert response.status_code == 409, (name, state)
