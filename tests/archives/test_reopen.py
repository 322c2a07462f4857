"""A reopened dossier (a recours gracieux, a mistake) goes back to the start of its archival life,
unless the archives already hold it or an archivist is deciding on it; an eliminated dossier moves
no more; and nothing that is being instructed again is ever listed or eliminated."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import OrganisationRole
from guichet.archives.elimination import elimination_list_approve, elimination_list_propose
from guichet.archives.models import (
    ArchivalState,
    ArchiveTransfer,
    DossierRetention,
    EliminationList,
    EliminationStatus,
    Tombstone,
    TransferStatus,
)
from guichet.archives.retention import retention_review
from guichet.dossiers.models import Dossier, DossierState, TransitionName
from guichet.dossiers.workflow import TransitionNotAllowed
from guichet.instruction.services import dossier_decide
from guichet.procedures.models import FinalFate
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    return ProcedureFactory(organisation=OrganisationFactory(), final_fate=FinalFate.DESTROY, retention_years=2)


def _due():
    retention_review()
    retention_review(today=timezone.localdate() + timedelta(days=366 * 3))


def _reopen(dossier, instructor):
    return dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.REOPEN, motivation="Recours gracieux")


@pytest.mark.slow
def test_a_dossier_reopened_after_its_dua_is_neither_listed_nor_eliminated(procedure, private_disk):
    dossier = DossierFactory(procedure=procedure, accepted=True)
    instructor = instructor_of(procedure)
    _due()
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TO_ELIMINATE

    _reopen(dossier, instructor)

    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.IN_INSTRUCTION
    assert not DossierRetention.objects.filter(dossier=dossier).exists()
    _due()
    assert not DossierRetention.objects.filter(dossier=dossier).exists()
    assert elimination_list_propose(organisation=procedure.organisation) is None
    # Decided again, it starts a new retention from the new decision.
    dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.ACCEPT)
    retention_review()
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.ACTIVE


def test_a_listed_or_transferred_dossier_is_not_reopened_and_the_instructor_is_told_why(procedure, client):
    listed, transferred = (DossierFactory(procedure=procedure, accepted=True) for _ in range(2))
    instructor = instructor_of(procedure)
    _due()
    DossierRetention.objects.filter(dossier=listed).update(state=ArchivalState.LISTED)
    DossierRetention.objects.filter(dossier=transferred).update(state=ArchivalState.TRANSFERRED)

    with pytest.raises(TransitionNotAllowed, match="bordereau d’élimination"):
        _reopen(listed, instructor)
    client.force_login(instructor)
    response = client.post(
        reverse("agent:dossier_decision", args=[transferred.pk]),
        {"decision": TransitionName.REOPEN, "motivation": "Recours gracieux"},
    )
    assert response.status_code == 400
    assert "versé aux archives" in response.content.decode()
    assert Dossier.objects.get(pk=transferred.pk).state == DossierState.ACCEPTED
    assert DossierRetention.objects.get(dossier=listed).state == ArchivalState.LISTED


def test_reopening_cancels_a_transfer_not_yet_handed_over_but_waits_for_one_handed_over(private_disk):
    procedure = ProcedureFactory(final_fate=FinalFate.KEEP, retention_years=2)
    pending, sent = (DossierFactory(procedure=procedure, accepted=True) for _ in range(2))
    instructor = instructor_of(procedure)
    _due()
    for dossier, status in ((pending, TransferStatus.PENDING), (sent, TransferStatus.SENT)):
        DossierRetention.objects.filter(dossier=dossier).update(state=ArchivalState.TRANSFERRING)
        ArchiveTransfer.objects.create(dossier=dossier, target="directory", status=status)

    _reopen(pending, instructor)
    assert ArchiveTransfer.objects.get(dossier=pending).status == TransferStatus.CANCELLED
    assert not DossierRetention.objects.filter(dossier=pending).exists()

    with pytest.raises(TransitionNotAllowed, match="réponse est attendue"):
        _reopen(sent, instructor)
    assert ArchiveTransfer.objects.get(dossier=sent).status == TransferStatus.SENT
    assert DossierRetention.objects.get(dossier=sent).state == ArchivalState.TRANSFERRING


def test_nothing_happens_any_more_to_an_eliminated_dossier(procedure):
    dossier = DossierFactory(procedure=procedure, in_instruction=True)
    instructor = instructor_of(procedure)
    # An eliminated dossier that (by some old path) was left in instruction.
    DossierRetention.objects.create(
        dossier=dossier, starts_on=timezone.localdate(), ends_on=timezone.localdate(), final_fate="detruire",
        state=ArchivalState.ELIMINATED,
    )  # fmt: skip
    with pytest.raises(TransitionNotAllowed, match="éliminé"):
        dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.ACCEPT)
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.IN_INSTRUCTION


@pytest.mark.slow
def test_a_dossier_back_in_instruction_while_listed_is_left_whole_by_the_purge(
    procedure, private_disk, django_capture_on_commit_callbacks
):
    eliminated, reopened = (DossierFactory(procedure=procedure, accepted=True) for _ in range(2))
    archivist = UserFactory()
    OrganisationRole.objects.create(
        user=archivist, organisation=procedure.organisation, role=OrganisationRole.Role.ARCHIVIST
    )
    _due()
    elimination_list = elimination_list_propose(organisation=procedure.organisation)
    # Whatever path put it back in instruction (the workflow refuses it), the purge leaves it whole.
    Dossier.objects.filter(pk=reopened.pk).update(state=DossierState.IN_INSTRUCTION, decided_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        elimination_list_approve(elimination_list=elimination_list, actor=archivist)
    assert Tombstone.objects.filter(dossier=eliminated).exists()
    assert not Tombstone.objects.filter(dossier=reopened).exists()
    assert Dossier.objects.get(pk=reopened.pk).answers == {"objet": "Une demande"}
    assert EliminationList.objects.get(pk=elimination_list.pk).status == EliminationStatus.DONE
