import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guichet.instruction.access import dossiers_visible_to_expert
from guichet.instruction.models import ExpertInvitation
from guichet.instruction.services import expert_invite
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db


def test_an_instructor_of_the_dossier_invites_an_expert_who_then_sees_only_that_dossier():
    dossier = DossierFactory(in_instruction=True)
    other = DossierFactory(procedure=dossier.procedure, in_instruction=True)
    expert = UserFactory()
    expert_invite(actor=instructor_of(dossier.procedure), dossier=dossier, expert=expert, question="  Avis ?  ")
    assert list(dossiers_visible_to_expert(expert)) == [dossier]
    assert other not in dossiers_visible_to_expert(expert)
    assert ExpertInvitation.objects.get(expert=expert).question == "Avis ?"


def test_only_the_dossiers_instructors_may_invite_an_expert():
    dossier = DossierFactory(in_instruction=True)
    outsider = instructor_of(ProcedureFactory())
    for actor in (outsider, dossier.applicant):
        with pytest.raises(PermissionDenied):
            expert_invite(actor=actor, dossier=dossier, expert=UserFactory(), question="Avis ?")
    with pytest.raises(ValidationError, match="question"):
        expert_invite(actor=instructor_of(dossier.procedure), dossier=dossier, expert=UserFactory(), question=" ")
    assert not ExpertInvitation.objects.exists()
