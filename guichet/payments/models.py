"""Payments of the fees that procedures charge (procedures/fees.py), online through the payment
connector (PayFiP, or the demonstration's dummy)."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import TimeStampedModel
from guichet.procedures.fees import euros


class PaymentMoment(models.TextChoices):
    BEFORE_FILING = "before_filing", _("Avant le dépôt")
    AFTER_ACCEPTANCE = "after_acceptance", _("Après l’acceptation")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("En attente du paiement")
    PAID = "paid", _("Payé")
    REFUSED = "refused", _("Refusé par la banque")
    CANCELLED = "cancelled", _("Abandonné")
    EXPIRED = "expired", _("Expiré")


FINAL = frozenset({PaymentStatus.PAID, PaymentStatus.REFUSED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED})


def unpaid_go_with_their_draft(collector, field, sub_objs, using):
    """The payments' `on_delete`: a draft deleted (by its applicant, or expired) takes its attempts
    that came to nothing with it; a paid one refuses the deletion (PROTECT): money received is never
    forgotten (drafts with one are not expired: archives/drafts.py)."""
    paid = [payment for payment in sub_objs if payment.status == PaymentStatus.PAID]
    if paid:
        models.PROTECT(collector, field, paid, using)
    models.CASCADE(collector, field, sub_objs, using)


class Payment(TimeStampedModel):
    """One attempt to pay a dossier's fee. A dossier has at most one paid payment per moment (a
    database constraint): whatever arrives first, the service's notification or the person's return,
    and however many times, the payment is recorded once."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=unpaid_go_with_their_draft, related_name="payments"
    )
    moment = models.CharField(_("moment du paiement"), max_length=20, choices=PaymentMoment.choices)
    # The reference given to the payment service (PayFiP's refdet: 1 to 30 letters and digits).
    reference = models.CharField(_("référence"), max_length=30, unique=True)
    amount_cents = models.PositiveIntegerField(_("montant (centimes)"))
    # The fee's lines and totals as charged (FeeAmount.as_json), and the organisation's revenue account.
    lines = models.JSONField(_("détail des frais"), default=dict)
    revenue_account = models.CharField(_("compte d’imputation"), max_length=40, blank=True)
    revenue_label = models.CharField(_("libellé de la recette"), max_length=200, blank=True)
    email = models.EmailField(_("courriel du payeur"))
    backend = models.CharField(_("service de paiement"), max_length=40)
    operation_id = models.CharField(_("identifiant de l’opération"), max_length=64, null=True, blank=True, unique=True)
    redirect_url = models.URLField(_("adresse de paiement"), max_length=500, blank=True)
    status = models.CharField(_("état"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    result_code = models.CharField(_("code résultat"), max_length=10, blank=True)
    authorisation = models.CharField(_("numéro d’autorisation"), max_length=40, blank=True)
    test = models.BooleanField(_("paiement de test"), default=False)
    paid_at = models.DateTimeField(_("payé le"), null=True, blank=True)
    settled_at = models.DateTimeField(_("résultat connu le"), null=True, blank=True)
    checked_at = models.DateTimeField(_("dernière vérification"), null=True, blank=True)
    # A refused dossier's fee is to be refunded: the accountant sees it in the export.
    refund_due_at = models.DateTimeField(_("à rembourser depuis"), null=True, blank=True)
    quittance = models.OneToOneField(
        "documents.Act",
        verbose_name=_("quittance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_created_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "moment"],
                # A second payment made by mistake is kept too, marked for refund.
                condition=models.Q(status="paid", refund_due_at__isnull=True),
                name="one_paid_payment_per_dossier_moment",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_at__isnull=False),
                name="payment_paid_has_date",
            ),
            models.CheckConstraint(condition=models.Q(amount_cents__gte=100), name="payment_at_least_one_euro"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.get_status_display()}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_cents) / 100

    @property
    def amount_display(self) -> str:
        return euros(self.amount)
