"""Acts: the templates a procedure's administrators write, and the sealed PDF documents issued
from them (receipts of submission, acceptance and refusal acts)."""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.core.models import AppendOnlyError, TimeStampedModel
from guichet.dossiers.models import ActKind


class ActTemplate(TimeStampedModel):
    """What one kind of act says for one procedure, in the restricted template language
    (documents/templating.py). A procedure without one uses the default text (documents/defaults.py)."""

    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="act_templates"
    )
    kind = models.CharField(_("type d’acte"), max_length=20, choices=ActKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    signatory_name = models.CharField(_("nom du signataire"), max_length=200, blank=True)
    signatory_title = models.CharField(_("qualité du signataire"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("modifié par"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("modèle d’acte")
        verbose_name_plural = _("modèles d’actes")
        constraints = [models.UniqueConstraint(fields=["procedure", "kind"], name="unique_act_template_kind")]

    def __str__(self) -> str:
        return f"{self.procedure} — {self.get_kind_display()}"


# Crockford's base 32: no I, L, O or U, so that a code read aloud or typed is not mistaken.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 bits: guessing an act's code is out of reach


def act_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _private_storage():
    return storages["private"]


class ActStatus(models.TextChoices):
    PENDING = "pending", _("En cours de génération")
    ISSUED = "issued", _("Émis")
    FAILED = "failed", _("Échec de la génération")


class Act(models.Model):
    """One act of a dossier, written by the step of the follow-up chain that issues it (the chain's
    row is written in the transition's transaction, so the act can never be lost); the worker renders
    and seals the PDF and issues it. Once issued, its content and fingerprint never change."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="acts"
    )
    kind = models.CharField(_("type d’acte"), max_length=20, choices=ActKind.choices)
    # The transition that the act records: the submission of a receipt, the decision of the others.
    transition = models.ForeignKey(
        "dossiers.TransitionLog",
        verbose_name=_("décision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="acts",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code de vérification"), max_length=CODE_LENGTH, unique=True, default=act_code_new)
    status = models.CharField(_("état"), max_length=20, choices=ActStatus.choices, default=ActStatus.PENDING)
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    # Written once, when issued.
    title = models.CharField(_("titre"), max_length=200, blank=True)
    issuer = models.CharField(_("administration émettrice"), max_length=400, blank=True)
    issued_at = models.DateTimeField(_("émis le"), null=True, blank=True)
    pdf = models.FileField(_("PDF scellé"), storage=_private_storage, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"), null=True, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True, db_index=True)
    seal_level = models.CharField(_("niveau du cachet"), max_length=20, blank=True)
    # What an act that no transition issues certifies, given by whoever asked for it (a quittance:
    # the amount paid, when, its reference), offered to its template as `paiement`.
    facts = models.JSONField(_("faits attestés"), default=dict, blank=True)

    class Meta:
        verbose_name = _("acte")
        verbose_name_plural = _("actes")
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["status", "requested_at"], name="act_status_requested_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="issued") | (~models.Q(sha256="") & models.Q(issued_at__isnull=False)),
                name="act_issued_has_fingerprint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.code_display}"

    def save(self, *args, **kwargs):
        # An issued act is a legal document: its row is never written again (its delivery date is
        # kept by a queryset update, which touches nothing of its content).
        if getattr(self, "_issued_in_db", False):
            raise AppendOnlyError("Un acte émis ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == ActStatus.ISSUED:
            raise AppendOnlyError("Un acte émis ne peut pas être supprimé.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._issued_in_db = instance.__dict__.get("status") == ActStatus.ISSUED
        return instance

    @property
    def code_display(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def is_issued(self) -> bool:
        return self.status == ActStatus.ISSUED

    @property
    def file_name(self) -> str:
        number = self.dossier.number if self.dossier_id else ""
        return f"{self.kind_slug}-{number}-{self.code}.pdf"

    @property
    def kind_slug(self) -> str:
        return {
            ActKind.RECEIPT: "accuse-reception",
            ActKind.ACCEPTANCE: "acceptation",
            ActKind.REFUSAL: "refus",
            ActKind.QUITTANCE: "quittance",
        }[ActKind(self.kind)]
