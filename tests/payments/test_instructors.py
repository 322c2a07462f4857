"""Instructors see what a dossier owes and what was paid; the accountant gets the receipts as CSV."""

import csv
import io

import pytest
from django.urls import reverse

from guichet.accounts.models import OrganisationRole
from guichet.core.models import AuditAction, AuditEvent
from guichet.observatory.collected import amounts_collected
from guichet.payments.models import Payment, PaymentStatus
from tests.connectors.payfip.stand_in import PAID_CARD
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of
from tests.payments.conftest import fee_definition, payfip_notifies

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("payfip_settings")]


def _paid(client, draft, payfip):
    client.force_login(draft.applicant)
    client.post(reverse("paiements:dossier", args=[draft.pk]))
    payment = Payment.objects.get(dossier=draft)
    payfip_notifies(client, payfip.person_finishes(payment.operation_id, PAID_CARD))
    return Payment.objects.get(pk=payment.pk)


def test_instructors_see_what_is_due_and_what_was_paid(client, draft, payfip):
    payment = _paid(client, draft, payfip)
    instructor = instructor_of(draft.procedure)
    client.force_login(instructor)
    page = client.get(reverse("agent:dossier_detail", args=[draft.pk])).content.decode()
    assert "Frais" in page and "12,50\u00a0€ payés le" in page and payment.reference in page
    assert payment.authorisation in page


def test_an_accepted_dossier_not_yet_paid_shows_what_is_due(client):
    procedure = ProcedureFactory(draft_definition=fee_definition(moment="after_acceptance", unit_price="80"))
    dossier = DossierFactory(procedure=procedure, accepted=True)
    client.force_login(instructor_of(procedure))
    page = client.get(reverse("agent:dossier_list", args=[procedure.slug])).content.decode()
    assert "Exporter les recettes (CSV)" in page
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "À payer" in page and "80,00 €" in page and "après l’acceptation" in page


def test_the_receipts_export_lists_each_payment_received(client, draft, payfip):
    payment = _paid(client, draft, payfip)
    draft.refresh_from_db()
    client.force_login(instructor_of(draft.procedure))
    response = client.get(reverse("agent:receipts_export", args=[draft.procedure.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:5] == ["Référence du paiement", "Payé le", "Démarche", "Dossier", "Montant (€)"]
    assert len(rows) == 2
    assert rows[1][0] == payment.reference and rows[1][3] == draft.number and rows[1][4] == "12,50"
    assert rows[1][5:7] == ["7068", "Redevances d’état civil"]
    assert AuditEvent.objects.filter(action=AuditAction.PAYMENT_RECEIPTS_EXPORT).count() == 1


def test_another_procedures_instructor_gets_no_receipts(client, draft, payfip):
    _paid(client, draft, payfip)
    stranger = instructor_of(DossierFactory().procedure)
    client.force_login(stranger)
    assert client.get(reverse("agent:receipts_export", args=[draft.procedure.slug])).status_code == 404


def test_the_observatory_shows_the_amounts_collected_per_procedure(client, draft, payfip):
    payment = _paid(client, draft, payfip)
    steering = UserFactory()
    organisation = draft.procedure.organisation
    OrganisationRole.objects.create(user=steering, organisation=organisation, role=OrganisationRole.Role.STEERING)
    # A second payment, on a refused dossier: to refund, counted apart.
    refunded = Payment.objects.create(
        dossier=DossierFactory(procedure=draft.procedure),
        moment=payment.moment,
        reference="G0R0000",
        amount_cents=2000,
        email="x@example.org",
        backend="payfip",
        status=PaymentStatus.PAID,
        paid_at=payment.paid_at,
        refund_due_at=payment.paid_at,
    )
    rows = amounts_collected(organisation_ids={organisation.pk})
    assert [(row.title, row.payments, row.collected_cents, row.refund_due_cents) for row in rows] == [
        (draft.procedure.title, 2, 1250, refunded.amount_cents)
    ]
    client.force_login(steering)
    page = client.get(reverse("observatoire:steering")).content.decode()
    assert "Montants encaissés par démarche" in page and "12,50\u00a0€" in page and "20,00\u00a0€" in page
