"""Elimination purges what the data sources and HubEE left beside a dossier: the certified values
(a company's identity, a family quotient) and the consent text go with the answers; the HubEE case
received keeps its id (a re-delivery must still find it and make no new dossier) but not the
applicant's name and address, nor the names of the files refused in its later events."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guichet.accounts.models import OrganisationRole
from guichet.archives.elimination import elimination_list_approve, elimination_list_propose
from guichet.archives.retention import retention_review
from guichet.dossiers.models import Message, SourcedValue, SourceOutcome
from guichet.exchanges.models import HubeeSubscription, ReceivedCase, ReceivedEvent
from guichet.procedures.models import FinalFate
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_elimination_purges_certified_values_and_the_hubee_applicant(private_disk, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(name="Mairie de Villebourg")
    procedure = ProcedureFactory(organisation=organisation, final_fate=FinalFate.DESTROY, retention_years=2)
    archivist = UserFactory()
    OrganisationRole.objects.create(user=archivist, organisation=organisation, role=OrganisationRole.Role.ARCHIVIST)
    dossier = DossierFactory(procedure=procedure, accepted=True)
    SourcedValue.objects.create(
        dossier=dossier,
        field_id="quotient",
        provider="api_particulier",
        datum="family_quotient",
        outcome=SourceOutcome.CERTIFIED,
        value=1234,
        consent="J’accepte que la mairie demande mon quotient familial à la CAF.",
        fetched_at=timezone.now(),
    )
    subscription = HubeeSubscription.objects.create(
        organisation=organisation,
        procedure=procedure,
        process_code="EtatCivil",
        client_id="client",
        client_secret="secret",
        applicant_account=UserFactory(),
    )
    case = ReceivedCase.objects.create(
        subscription=subscription,
        case_id="case-1",
        external_id="SP-2020-1",
        dossier=dossier,
        outcome=ReceivedCase.Outcome.CREATED,
        applicant={"firstName": "Zéphyrine", "lastName": "Vandermeersch", "email": "z@exemple.fr"},
    )
    # A message that the applicant's online service added to the case, one of its files refused.
    message = Message.objects.create(dossier=dossier, author_role=Message.AuthorRole.APPLICANT, body="Pièce jointe")
    ReceivedEvent.objects.create(
        case=case,
        event_id="event-1",
        action_type="ATTACH_DEPOSIT",
        message=message,
        refused=["Le fichier « acte-naissance-Vandermeersch.exe » n’est pas d’un type accepté."],
    )
    retention_review()
    retention_review(today=timezone.localdate() + timedelta(days=366 * 3))
    elimination_list = elimination_list_propose(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        elimination_list_approve(elimination_list=elimination_list, actor=archivist)

    assert not SourcedValue.objects.filter(dossier=dossier).exists()
    received = ReceivedCase.objects.get(case_id="case-1")
    assert received.applicant == {}
    assert received.dossier_id == dossier.pk  # still found on a re-delivery: no new dossier
    event = ReceivedEvent.objects.get(event_id="event-1")  # still found: no new message
    assert event.refused == [] and event.message is None and not Message.objects.filter(dossier=dossier).exists()
