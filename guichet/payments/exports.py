"""The receipts for the accountant: one row per payment received, with what the organisation books
it on (its revenue account) and what became of it (to refund). Rows of texts, in French, amounts to
the cent as French spreadsheets read them (« 1 234,50 »); the screens write them as CSV, for a
procedure (its instructors) or for the whole organisation (whoever administers its procedures)."""

from collections.abc import Iterable, Iterator

from django.utils import timezone

from guichet.procedures.fees import amount_for_spreadsheet

from .models import Payment, PaymentStatus
from .quittance import SERVICES

RECEIPTS_HEADER = [
    "Référence du paiement",
    "Payé le",
    "Démarche",
    "Dossier",
    "Montant (€)",
    "Compte d’imputation",
    "Libellé de la recette",
    "Moment",
    "Service de paiement",
    "Code résultat",
    "Numéro d’autorisation",
    "Paiement de test",
    "Quittance (code de vérification)",
    "À rembourser",
    "À rembourser depuis le",
]


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def receipts_rows(payments: Iterable[Payment]) -> Iterator[list[str]]:
    """The paid payments among `payments` (payments_of_procedures), one row each."""
    for payment in payments:
        if payment.status != PaymentStatus.PAID:
            continue
        dossier = payment.dossier
        yield [
            payment.reference,
            _moment(payment.paid_at),
            dossier.procedure.title,
            dossier.number or "",
            amount_for_spreadsheet(payment.amount),
            payment.revenue_account,
            payment.revenue_label,
            payment.get_moment_display(),
            SERVICES.get(payment.backend, payment.backend),
            payment.result_code,
            payment.authorisation,
            "oui" if payment.test else "non",
            payment.quittance.code_display if payment.quittance_id else "",
            "oui" if payment.refund_due_at else "non",
            _moment(payment.refund_due_at),
        ]
