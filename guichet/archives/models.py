"""What archiving keeps about each dossier: its retention (DUA and final fate), its transfers to an
archival system with their replies, the elimination lists an archivist approves, and the tombstone
left once a dossier's personal data is destroyed."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import TimeStampedModel


def _private_storage():
    return storages["private"]


class ArchivalState(models.TextChoices):
    """Where a decided dossier stands in its archival life. The allowed moves are in
    archives/retention.py (TRANSITIONS)."""

    ACTIVE = "active", _("En cours de conservation")
    TO_TRANSFER = "to_transfer", _("À verser")
    TRANSFERRING = "transferring", _("Versement en cours")
    TRANSFERRED = "transferred", _("Versé aux archives")
    TRANSFER_REFUSED = "transfer_refused", _("Versement refusé")
    TO_ELIMINATE = "to_eliminate", _("À éliminer")
    LISTED = "listed", _("Proposé à l’élimination")
    ELIMINATED = "eliminated", _("Éliminé")


class DossierRetention(TimeStampedModel):
    """One decided (or withdrawn) dossier's retention: when its administrative usefulness period
    ends, what then becomes of it, and where it stands. Written by archives.retention, which reads
    the procedure's settings at the time the dossier is decided."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="retention"
    )
    starts_on = models.DateField(_("début de la durée d’utilité administrative"))
    ends_on = models.DateField(_("fin de la durée d’utilité administrative"), db_index=True)
    final_fate = models.CharField(_("sort final"), max_length=20)
    state = models.CharField(_("état"), max_length=20, choices=ArchivalState.choices, default=ArchivalState.ACTIVE)
    # A dossier under litigation hold (« gel pour contentieux ») is never transferred nor listed for
    # elimination until the hold is lifted.
    litigation_hold = models.BooleanField(_("gel pour contentieux"), default=False)
    litigation_hold_reason = models.CharField(_("motif du gel"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("conservation d’un dossier")
        verbose_name_plural = _("conservation des dossiers")
        indexes = [models.Index(fields=["state", "ends_on"], name="retention_state_ends_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id} — {self.get_state_display()}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé, en attente de l’accusé")
    ACCEPTED = "accepted", _("Accepté")
    REFUSED = "refused", _("Refusé par le système d’archivage")
    CANCELLED = "cancelled", _("Annulé")


class ArchiveTransfer(TimeStampedModel):
    """The transfer of one dossier's archive package (SIP) to the archival system, and its reply
    (ArchiveTransferReply, « ATR »). A dossier has at most one live or accepted transfer; a refused
    one is kept with its reason, and a new one may follow once the cause is fixed."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="archive_transfers"
    )
    target = models.CharField(_("système d’archivage"), max_length=40)
    status = models.CharField(_("état"), max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    # The package as sent: its name (the MessageIdentifier), SHA-512 digest and size.
    sip_name = models.CharField(_("identifiant du message"), max_length=100, blank=True)
    sip_sha512 = models.CharField(_("empreinte SHA-512 du paquet"), max_length=128, blank=True)
    sip_size = models.PositiveBigIntegerField(_("taille du paquet (octets)"), null=True, blank=True)
    operation_id = models.CharField(_("identifiant de l’opération"), max_length=200, blank=True)
    reply_code = models.CharField(_("code de réponse"), max_length=20, blank=True)
    reply = models.TextField(_("accusé de versement (ATR)"), blank=True)
    reply_message = models.TextField(_("motif donné par le système d’archivage"), blank=True)
    # Archive unit of the manifest → the archival system's own identifier (Vitam's SystemId).
    unit_ids = models.JSONField(_("identifiants attribués"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    replied_at = models.DateTimeField(_("réponse reçue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("versement")
        verbose_name_plural = _("versements")
        constraints = [
            # No dossier is transferred twice: one transfer at most that is under way or accepted.
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(status__in=["pending", "sent", "accepted"]),
                name="archive_transfer_one_live_per_dossier",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="archive_transfer_due_idx")]

    def __str__(self) -> str:
        return f"{self.sip_name or self.dossier_id} — {self.get_status_display()}"


class EliminationStatus(models.TextChoices):
    AWAITING = "awaiting", _("En attente du visa")
    APPROVED = "approved", _("Visé, élimination en cours")
    REFUSED = "refused", _("Visa refusé")
    DONE = "done", _("Élimination effectuée")


class EliminationList(TimeStampedModel):
    """A « bordereau d’élimination »: the dossiers of one organisation whose DUA has ended and that
    are to be destroyed (final fate « détruire », or transferred and acknowledged), proposed to the
    archives service. Nothing is destroyed before an archivist's visa (Code du patrimoine, L212-2)."""

    number = models.CharField(_("numéro"), max_length=30, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("état"), max_length=20, choices=EliminationStatus.choices, default=EliminationStatus.AWAITING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposé par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visa donné par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("visa donné le"), null=True, blank=True)
    decision_comment = models.TextField(_("observations du service d’archives"), blank=True)
    done_at = models.DateTimeField(_("élimination effectuée le"), null=True, blank=True)
    # The list as proposed, and the visa, each a sealed PDF.
    list_pdf = models.FileField(_("bordereau scellé"), storage=_private_storage, max_length=200, blank=True)
    visa_pdf = models.FileField(_("visa scellé"), storage=_private_storage, max_length=200, blank=True)

    class Meta:
        verbose_name = _("bordereau d’élimination")
        verbose_name_plural = _("bordereaux d’élimination")

    def __str__(self) -> str:
        return self.number


class EliminationEntry(models.Model):
    """One dossier on an elimination list."""

    elimination_list = models.ForeignKey(
        EliminationList, verbose_name=_("bordereau"), on_delete=models.PROTECT, related_name="entries"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="+"
    )
    # Why it may be destroyed: its final fate, or the archival system's acknowledgement.
    reason = models.CharField(_("motif"), max_length=200)
    archive_reference = models.CharField(_("référence aux archives"), max_length=200, blank=True)
    # Where the dossier stood before it was listed: where a refused visa puts it back.
    previous_state = models.CharField(
        _("état avant le bordereau"), max_length=20, choices=ArchivalState.choices, default=ArchivalState.TO_ELIMINATE
    )
    # Put under litigation hold after the list was drawn up: left out of the elimination, back where it was.
    kept_for_litigation = models.BooleanField(_("écarté pour contentieux"), default=False)

    class Meta:
        verbose_name = _("dossier proposé à l’élimination")
        verbose_name_plural = _("dossiers proposés à l’élimination")
        constraints = [models.UniqueConstraint(fields=["elimination_list", "dossier"], name="elimination_entry_unique")]

    def __str__(self) -> str:
        return f"{self.elimination_list_id} — {self.dossier_id}"


class Tombstone(models.Model):
    """What remains of a dossier once its personal data is destroyed: enough for the statistics and
    the audit trail to stay right, and to prove what was destroyed (its digests), nothing personal."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="tombstone"
    )
    number = models.CharField(_("numéro"), max_length=20)
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("démarche"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("état final"), max_length=20)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    archive_reference = models.CharField(_("référence aux archives"), max_length=200, blank=True)
    # What was destroyed: [{"what": "pièce jointe", "sha256": "…", "size": 123}, …]
    digests = models.JSONField(_("empreintes de ce qui a été détruit"), default=list)
    elimination_list = models.ForeignKey(
        EliminationList, verbose_name=_("bordereau"), on_delete=models.PROTECT, related_name="tombstones"
    )
    eliminated_at = models.DateTimeField(_("éliminé le"))

    class Meta:
        verbose_name = _("trace d’un dossier éliminé")
        verbose_name_plural = _("traces des dossiers éliminés")

    def __str__(self) -> str:
        return self.number


class AccountClosure(models.Model):
    """An applicant closed their account (« Supprimer mon compte »). Their drafts are gone and they
    can no longer sign in; their identity is pseudonymised at once when nothing they filed is still
    kept, else when the last of their filed dossiers is eliminated (archives/personal_data.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("compte"), on_delete=models.PROTECT, related_name="closure"
    )
    closed_at = models.DateTimeField(_("fermé le"))
    pseudonymised_at = models.DateTimeField(_("pseudonymisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("compte fermé")
        verbose_name_plural = _("comptes fermés")

    def __str__(self) -> str:
        return f"{self.user_id} — {self.closed_at:%d/%m/%Y}"
