"""The invoice section of a dossier in Chromium, with and without JavaScript, audited by axe-core:
the instructor sees a rejected invoice and its reason, downloads it, cancels it with a credit note
through the confirmation page; the company sees them both, without the instructor's actions. A
rejected credit note is replaced, an invoice sent back « à recycler » recorded as recycled."""

import re

import pytest
from playwright.sync_api import expect

from guichet.invoicing.models import Invoice, InvoiceStatus
from guichet.invoicing.services import invoice_credit
from tests.factories import DossierFactory, instructor_of
from tests.invoicing.samples import issue

from .axe import assert_accessible
from .test_reflow_agents import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Numéro d’engagement inconnu : EJ-2026-0042"


@pytest.fixture(params=[True, False], ids=["with-javascript", "without-javascript"])
def javascript(request) -> bool:
    return request.param


@pytest.fixture
def tab(browser, javascript):
    context = browser.new_context(locale="fr-FR", java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def audited(tab, javascript: bool) -> None:
    """axe-core runs in the page: audited with JavaScript (the same pages without it are the same HTML)."""
    if javascript:
        assert_accessible(tab)


def test_the_instructor_cancels_a_rejected_invoice_and_the_company_sees_the_credit_note(tab, javascript, live_server):
    dossier = DossierFactory(accepted=True)
    instructor = instructor_of(dossier.procedure)
    invoice = issue(dossier, instructor)
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.REJECTED, platform_status="REJETEE", rejection_reasons=[REASON], next_attempt_at=None
    )
    signed_in(tab, live_server, instructor)
    tab.goto(f"{live_server.url}/instruction/dossiers/{dossier.pk}/")
    section = tab.locator("section", has=tab.get_by_role("heading", name="Factures", exact=True))
    invoice_row = section.get_by_role("row", name=re.compile(f"^Facture n° {invoice.number}"))
    expect(invoice_row).to_contain_text("Rejetée")
    expect(section.get_by_text(REASON)).to_be_visible()
    expect(section.get_by_text("300,00", exact=False)).to_be_visible()
    audited(tab, javascript)

    with tab.expect_download() as download:
        section.get_by_role("link", name=re.compile(f"^Facture n° {invoice.number}")).click()
    assert download.value.suggested_filename == f"{invoice.number}.pdf"

    section.get_by_role("link", name=f"Annuler par un avoir la facture n° {invoice.number}").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(f"Annuler la facture n° {invoice.number}")
    audited(tab, javascript)
    assert not Invoice.objects.filter(credited_invoice=invoice).exists()  # nothing done by opening it
    tab.get_by_role("button", name="Émettre l’avoir et annuler la facture").click()
    credit_note = Invoice.objects.get(credited_invoice=invoice)
    expect(tab.get_by_text(f"est annulée par l’avoir n° {credit_note.number}")).to_be_visible()
    expect(invoice_row).to_contain_text("Annulée par un avoir")
    expect(section.get_by_role("link", name=f"Avoir n° {credit_note.number}")).to_be_visible()
    expect(section.get_by_role("link", name="Annuler par un avoir", exact=False)).to_have_count(0)
    audited(tab, javascript)

    tab.context.clear_cookies()
    signed_in(tab, live_server, dossier.applicant)
    tab.goto(f"{live_server.url}/mes-dossiers/{dossier.pk}/")
    expect(section.get_by_role("link", name=f"Avoir n° {credit_note.number}")).to_be_visible()
    expect(section.get_by_text(f"Annule la facture n° {invoice.number}.")).to_be_visible()
    expect(section.get_by_role("link", name="Annuler par un avoir", exact=False)).to_have_count(0)
    audited(tab, javascript)


def test_the_instructor_replaces_a_rejected_credit_note_and_recycles_an_invoice_sent_back(tab, javascript, live_server):
    dossier = DossierFactory(accepted=True)
    instructor = instructor_of(dossier.procedure)
    invoice = issue(dossier, instructor)
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.REJECTED, platform_invoice_id="1000001")
    credit_note = invoice_credit(invoice=invoice, actor=instructor)
    Invoice.objects.filter(pk=credit_note.pk).update(
        status=InvoiceStatus.REJECTED, platform_invoice_id="1000002", rejection_reasons=["Code service inconnu"]
    )
    sent_back = issue(dossier, instructor)
    Invoice.objects.filter(pk=sent_back.pk).update(
        status=InvoiceStatus.AVAILABLE, platform_invoice_id="1000003", platform_status="A_RECYCLER"
    )
    signed_in(tab, live_server, instructor)
    tab.goto(f"{live_server.url}/instruction/dossiers/{dossier.pk}/")
    section = tab.locator("section", has=tab.get_by_role("heading", name="Factures", exact=True))
    alert = f"Facture n° {sent_back.number} : à recycler sur Chorus Pro"
    expect(section.get_by_role("heading", name=alert)).to_be_visible()
    expect(section.get_by_text("Code service inconnu")).to_be_visible()
    audited(tab, javascript)

    section.get_by_role("link", name=f"Remplacer par un nouvel avoir l’avoir n° {credit_note.number}").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(f"Remplacer l’avoir n° {credit_note.number}")
    audited(tab, javascript)
    tab.get_by_label("Code service du destinataire").fill("SERVICE-FINANCES")
    tab.get_by_role("button", name="Émettre le nouvel avoir").click()
    replacement = Invoice.objects.get(replaces=credit_note)
    expect(tab.get_by_text(f"est remplacé par l’avoir n° {replacement.number}")).to_be_visible()
    expect(section.get_by_text(f"Remplace l’avoir n° {credit_note.number}, rejeté.")).to_be_visible()

    section.get_by_role("link", name=f"Recycler la facture n° {sent_back.number} : la marche à suivre").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(f"Recycler la facture n° {sent_back.number}")
    audited(tab, javascript)
    tab.get_by_label("Numéro d’engagement").fill("EJ-2026-0099")
    tab.get_by_role("button", name="Enregistrer le destinataire saisi sur Chorus Pro").click()
    recorded = "Recyclée sur Chorus Pro vers : SERVICE-COMPTA, engagement EJ-2026-0099."
    expect(section.get_by_text(recorded)).to_be_visible()
    audited(tab, javascript)
