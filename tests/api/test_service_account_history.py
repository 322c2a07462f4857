"""A change of state made by software through the API with a service account names that account
(« Compte de service : … ») in the transition log, the audit trail, the API's log and the back
office's history; a person's change names the person; the applicant's own page names nobody."""

import pytest
from django.urls import reverse

from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import TransitionLog, TransitionName
from guichet.instruction.services import dossier_decide
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

from .keys import bearer, service_account, service_key

pytestmark = pytest.mark.django_db


def test_a_service_account_s_transitions_name_it_everywhere(client):
    procedure = ProcedureFactory()
    account = service_account(procedure.organisation, ["dossiers:instruct", "dossiers:read"], name="GED")
    headers = bearer(service_key(account))
    dossier = DossierFactory(procedure=procedure, submitted=True)
    named = f"Compte de service : GED ({procedure.organisation.name})"

    assert client.post(f"/api/v1/dossiers/{dossier.pk}/start-instruction", headers=headers).status_code == 200
    refused = client.post(
        f"/api/v1/dossiers/{dossier.pk}/decide",
        {"decision": "refuse", "motivation": "Pièces manquantes."},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 200, refused.content

    logs = list(TransitionLog.objects.filter(dossier=dossier).order_by("at", "pk"))
    assert [(log.transition, log.actor_id, log.actor_label) for log in logs[-2:]] == [
        ("start_instruction", None, named),
        ("refuse", None, named),
    ]
    event = AuditEvent.objects.filter(action=AuditAction.DOSSIER_REFUSE).get()
    assert event.actor is None and event.actor_label == named

    read = client.get(f"/api/v1/dossiers/{dossier.pk}", headers=headers).json()
    assert [entry["actor"] for entry in read["transitions"]][-2:] == [named, named]
    assert read["transitions"][0]["actor"] == ""  # filed by the applicant: not named to the software

    # The back office's history names the account; a person's change names the person.
    instructor = instructor_of(procedure, first_name="Alice", last_name="Martin")
    client.force_login(instructor)
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert page.count(f"par {named}") == 2
    dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.REOPEN, motivation="Revu.")
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "par Alice Martin" in page and page.count(f"par {named}") == 2

    # The applicant's page tells what happened, not who did it.
    client.force_login(dossier.applicant)
    own = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Dossier refusé" in own and "Compte de service" not in own
