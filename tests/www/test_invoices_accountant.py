"""The organisation's accountant gets every invoice and credit note of the organisation, and every
payment received online, whatever the procedure and group, from whoever administers its procedures;
nobody else does. Amounts to the cent as French spreadsheets read them (« 1 234,50 »)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import OrganisationRole
from guichet.core.models import AuditAction, AuditEvent
from guichet.invoicing.amounts import Line
from guichet.invoicing.corrections import credit_note_replace
from guichet.invoicing.models import Invoice, InvoiceStatus
from guichet.invoicing.services import invoice_credit
from guichet.payments.models import Payment, PaymentMoment, PaymentStatus
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of
from tests.invoicing.samples import issue

pytestmark = pytest.mark.django_db


def administrator_of(organisation):
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return user


def test_the_administrator_exports_all_the_organisations_invoices_for_its_accountant(client):
    room = DossierFactory(accepted=True)
    organisation = room.procedure.organisation
    diagnostic = DossierFactory(accepted=True, procedure=ProcedureFactory(organisation=organisation))
    elsewhere = DossierFactory(accepted=True)
    agent = instructor_of(room.procedure)
    first = issue(room, agent)
    credit_note = invoice_credit(invoice=first, actor=agent)
    second = issue(diagnostic, agent)
    issue(elsewhere, agent)  # another organisation's: not in the file
    administrator = administrator_of(organisation)
    client.force_login(administrator)

    page = client.get(reverse("admin_procedures:list")).content.decode()
    url = reverse("admin_procedures:organisation_invoices", args=[organisation.pk])
    assert f'href="{url}"' in page and f"Factures et avoirs — {organisation.name}" in page
    response = client.get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"factures-{organisation.siret}.csv" in response["Content-Disposition"]
    rows = b"".join(response.streaming_content).decode("utf-8-sig").strip().split("\r\n")
    assert [row.split(";")[0] for row in rows[1:]] == [first.number, credit_note.number, second.number]
    assert ";-300,00;" in rows[2] and rows[2].endswith(first.number)
    event = AuditEvent.objects.get(action=AuditAction.INVOICES_EXPORT)
    assert (event.actor, event.object_id) == (administrator, str(organisation.pk))

    # The administrator of another organisation, and an instructor, do not get it.
    client.force_login(administrator_of(elsewhere.procedure.organisation))
    assert client.get(url).status_code == 404
    client.force_login(agent)
    assert client.get(url).status_code == 403


def test_the_administrator_exports_the_organisations_online_receipts_beside_its_invoices(client):
    dossier = DossierFactory(accepted=True)
    organisation = dossier.procedure.organisation
    other_procedure = DossierFactory(accepted=True, procedure=ProcedureFactory(organisation=organisation))
    elsewhere = DossierFactory(accepted=True)
    paid_at = timezone.now()

    def paid(on, reference, cents, **fields):
        return Payment.objects.create(
            dossier=on,
            moment=PaymentMoment.BEFORE_FILING,
            reference=reference,
            amount_cents=cents,
            email="x@example.org",
            backend="payfip",
            status=PaymentStatus.PAID,
            paid_at=paid_at,
            revenue_account="7068",
            **fields,
        )

    paid(dossier, "G0R0001", 123450)
    paid(other_procedure, "G0R0002", 2000, refund_due_at=paid_at)  # a refused dossier's: to refund
    paid(elsewhere, "G0R0003", 500)  # another organisation's: not in the file
    never_paid = {"email": "x@example.org", "backend": "payfip", "moment": PaymentMoment.BEFORE_FILING}
    Payment.objects.create(dossier=dossier, reference="G0R0004", amount_cents=100, **never_paid)
    administrator = administrator_of(organisation)
    client.force_login(administrator)

    page = client.get(reverse("admin_procedures:list")).content.decode()
    url = reverse("admin_procedures:organisation_receipts", args=[organisation.pk])
    assert f'href="{url}"' in page and f"Recettes en ligne (PayFiP) — {organisation.name}" in page
    assert f"Factures et avoirs — {organisation.name}" in page  # the two files side by side
    response = client.get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"recettes-{organisation.siret}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[-2:] == ["À rembourser", "À rembourser depuis le"]
    amount, refund = header.index("Montant (€)"), header.index("À rembourser")
    assert [(row[0], row[amount], row[refund]) for row in rows[1:]] == [
        ("G0R0001", "1 234,50", "non"),
        ("G0R0002", "20,00", "oui"),
    ]
    event = AuditEvent.objects.get(action=AuditAction.PAYMENT_RECEIPTS_EXPORT)
    assert (event.actor, event.object_id) == (administrator, str(organisation.pk))

    client.force_login(administrator_of(elsewhere.procedure.organisation))
    assert client.get(url).status_code == 404
    client.force_login(instructor_of(dossier.procedure))
    assert client.get(url).status_code == 403


def test_the_invoices_file_writes_thousands_and_counts_a_replaced_credit_note_at_zero(client):
    dossier = DossierFactory(accepted=True)
    agent = instructor_of(dossier.procedure)
    invoice = issue(dossier, agent, lines=(Line("Diagnostic archéologique", Decimal("1"), Decimal("1234.5"), 0),))
    Invoice.objects.filter(pk=invoice.pk).update(platform_invoice_id="1000001")
    rejected = invoice_credit(invoice=invoice, actor=agent)
    Invoice.objects.filter(pk=rejected.pk).update(
        status=InvoiceStatus.REJECTED, platform_invoice_id="1000002", rejection_reasons=["Code service inconnu"]
    )
    replacement = credit_note_replace(credit_note=rejected, actor=agent, service_code="S2", order_number="")
    client.force_login(administrator_of(dossier.procedure.organisation))
    response = client.get(reverse("admin_procedures:organisation_invoices", args=[dossier.procedure.organisation.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    gross, state = rows[0].index("Total TTC"), rows[0].index("État")
    why = rows[0].index("Motifs du rejet ou commentaire de l’entreprise")
    assert [(row[0], row[gross], row[state], row[why]) for row in rows[1:]] == [
        (invoice.number, "1 234,50", "Annulée par un avoir", ""),
        (rejected.number, "0,00", f"Remplacé par l’avoir n° {replacement.number}, sans effet", "Code service inconnu"),
        (replacement.number, "-1 234,50", "Émise, à déposer sur Chorus Pro", ""),
    ]
