"""The demonstration's invoices to companies: the works procedure on historic monuments charges its
fee (the instruction of an archaeological diagnostic, and the diagnostic itself at 0.4 % of the
works' cost) to the owner whose SIRET its representative gives, after acceptance. Its accepted demo
dossiers are filed by such representatives. The follow-up chain invoices them (fee_invoices.py): the
first ones here, taken through the in-process invoicing platform to their payment; the others by the
worker once `make run` starts, which deposits them (GUICHET_INVOICING_DUMMY in development)."""

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from guichet.connectors.invoicing_dummy.connector import DummyInvoicing
from guichet.dossiers.models import Dossier, DossierState, TransitionName
from guichet.invoicing.deposits import invoices_follow
from guichet.invoicing.fee_invoices import fee_invoice_issue
from guichet.invoicing.models import Invoice
from guichet.procedures.fees import FeeMoment

from .answers import fake_answers

PROCEDURE = "autorisation-travaux-monument-historique"
INVOICED_HERE = 3  # invoices issued with the demo data; the first FOLLOWED ones are paid
FOLLOWED = 2
DRAWS = 50


def demo_dossier_answers(slug: str, definition: dict, rng: random.Random, *, final_state: str) -> dict[str, Any]:
    """Fake answers for a demo dossier; those of the works procedure that end accepted give the
    SIRET of the owner a representative acts for (drawn again until they do): it is invoiced."""
    answers = fake_answers(definition, rng)
    if slug != PROCEDURE or final_state != "accepted":
        return answers
    for _ in range(DRAWS):
        if answers.get("proprietaire_siret"):
            return answers
        answers = fake_answers(definition, rng)
    raise RuntimeError("Aucune réponse de démonstration ne donne le SIRET du propriétaire.")


def demo_invoices_load() -> None:
    """Invoice the first accepted dossiers of the works procedure, as their chains would (nothing
    when already done); their chains, run later by the worker, find the invoices issued."""
    accepted = Dossier.objects.filter(procedure__slug=PROCEDURE, state=DossierState.ACCEPTED).order_by("pk")
    accepted = list(accepted[:INVOICED_HERE])
    if not accepted or Invoice.objects.filter(dossier__in=accepted).exists():
        return
    platform = DummyInvoicing()
    for position, dossier in enumerate(accepted):
        if position == FOLLOWED:
            # The first ones through the in-process platform to their payment: deposited, integrated, paid.
            for _ in range(3):
                invoices_follow(connector=platform, now=timezone.now() + timedelta(days=1))
        acceptance = dossier.transitions.filter(transition=TransitionName.ACCEPT).select_related("actor").last()
        fee_invoice_issue(dossier=dossier, moment=FeeMoment.AFTER_ACCEPTANCE, transition=acceptance)
