"""What hangs on a dossier: its files, the answers as filed, correction requests, messages, the
applicant's opinion, and the log of its changes of state."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.core.models import AppendOnlyModel, AppendOnlyQuerySet, TimeStampedModel

from .dossier import Dossier, DossierState


def _private_storage():
    return storages["private"]


def _file_path(instance: "DossierFile", filename: str) -> str:
    # The sender's file name is never part of the path: it is kept apart, for display only.
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}"


class DossierFile(TimeStampedModel):
    """A file attached to a dossier: to an answer, or to a message. Answers refer to it by its key."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="files")
    key = models.UUIDField(_("clé"), default=uuid.uuid4, unique=True, editable=False)
    content = models.FileField(_("contenu"), upload_to=_file_path, storage=_private_storage, max_length=200)
    name = models.CharField(_("nom d’origine"), max_length=255)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    content_type = models.CharField(_("type (reconnu au contenu)"), max_length=100)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    # None: uploaded by software through the API (a service account, named in the audit trail).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.name


class EliminableQuerySet(AppendOnlyQuerySet):
    """Rows that nobody changes or deletes, except the supervised elimination of a dossier's personal
    data once its retention has ended and an archivist has approved the elimination list (Code du
    patrimoine; archives/purge.py is the only caller). Named so that no other use passes unnoticed."""

    def elimination_delete(self) -> int:
        return models.QuerySet.delete(self)[0]

    def elimination_redact(self, **fields) -> int:
        return models.QuerySet.update(self, **fields)


class DossierSnapshot(AppendOnlyModel):
    """The answers as they were filed: at submission, then at each resubmission after corrections.
    Instructors read the latest one; the applicant's working copy stays in `Dossier.answers`."""

    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("Dépôt")
        CORRECTION = "correction", _("Corrections")

    dossier = models.ForeignKey(Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="snapshots")
    version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("version du formulaire"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    objects = EliminableQuerySet.as_manager()

    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    answers = models.JSONField(_("réponses déposées"))
    changed_fields = models.JSONField(_("champs modifiés"), default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("déposé le"))

    class Meta:
        verbose_name = _("réponses déposées")
        verbose_name_plural = _("réponses déposées")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["dossier", "created_at"], name="snapshot_dossier_at_idx")]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.get_kind_display()} du {self.created_at:%d/%m/%Y}"


class CorrectionRequest(TimeStampedModel):
    """An instructor asks the applicant to correct their dossier; it is resolved when they resubmit."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="correction_requests"
    )
    # None: asked by software through the API (a service account, named in the audit trail).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("motif"))
    resolved_at = models.DateTimeField(_("corrigée le"), null=True, blank=True)
    # The dossier's deadline when its clock stopped for this request: where a suspended clock resumes.
    due_at_when_requested = models.DateTimeField(_("fin du délai à la demande"), null=True, blank=True)
    snapshot = models.ForeignKey(
        DossierSnapshot,
        verbose_name=_("réponses corrigées"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("demande de correction")
        verbose_name_plural = _("demandes de correction")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(resolved_at__isnull=True), name="one_open_correction_request"
            )
        ]

    def __str__(self) -> str:
        return f"Correction demandée sur {self.dossier}"


class Message(TimeStampedModel):
    """A message between the applicant and the instructors of a dossier, with files or none (its
    `attachments`, MessageAttachment)."""

    class AuthorRole(models.TextChoices):
        APPLICANT = "applicant", _("Usager")
        INSTRUCTOR = "instructor", _("Instructeur")

    dossier = models.ForeignKey(Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="messages")
    # None for software writing through the API with a service account: `author_label` names it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author_label = models.CharField(_("auteur (libellé)"), max_length=254, blank=True, default="")
    author_role = models.CharField(_("en qualité de"), max_length=20, choices=AuthorRole.choices)
    body = models.TextField(_("message"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["dossier", "created_at"], name="message_dossier_at_idx")]

    def __str__(self) -> str:
        return f"Message sur {self.dossier}"

    @property
    def files(self) -> list[DossierFile]:
        """The files sent with it, in the order they were sent (prefetch `attachments__file` for a list)."""
        return [attached.file for attached in self.attachments.all()]


class MessageAttachment(models.Model):
    """One file sent with a message; a message may carry several (the API sends up to
    MESSAGE_ATTACHMENTS_MAX at once). The file is its dossier's, checked like any upload."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.ForeignKey(DossierFile, verbose_name=_("fichier"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("pièce jointe d’un message")
        verbose_name_plural = _("pièces jointes des messages")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["message", "file"], name="message_attachment_unique")]

    def __str__(self) -> str:
        return f"{self.file} ({self.message})"


class Opinion(TimeStampedModel):
    """What an applicant thought of a procedure ("Je donne mon avis"), once per dossier; the
    observatory computes satisfaction, clarity and help from these."""

    class Overall(models.IntegerChoices):
        BAD = 0, _("Pas bien")
        AVERAGE = 5, _("Moyen")
        GOOD = 10, _("Très bien")

    class HelpChannel(models.TextChoices):
        COUNTER = "counter", _("Au guichet")
        PHONE = "phone", _("Par téléphone")
        EMAIL = "email", _("Par courriel")
        CHAT = "chat", _("Par messagerie instantanée (chat)")
        RELATIVE = "relative", _("Un proche")
        ASSOCIATION = "association", _("Une association")
        WEBSITE = "website", _("Des sites internet")
        OTHER = "other", _("Autre")

    class HelpQuality(models.IntegerChoices):
        VERY_BAD = 1, _("Très mauvaise")
        BAD = 2, _("Mauvaise")
        AVERAGE = 3, _("Moyenne")
        GOOD = 4, _("Bonne")
        EXCELLENT = 5, _("Excellente")

    dossier = models.OneToOneField(Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="opinion")
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="opinions"
    )
    overall = models.PositiveSmallIntegerField(_("de façon générale"), choices=Overall.choices)
    clarity = models.PositiveSmallIntegerField(_("clarté de la démarche (1 à 5)"), null=True, blank=True)
    help_needed = models.BooleanField(_("a eu besoin d’aide"), null=True, blank=True)
    help_channels = models.JSONField(_("aide recherchée"), default=list, blank=True)
    help_reached = models.BooleanField(_("a pu joindre l’aide"), null=True, blank=True)
    help_quality = models.PositiveSmallIntegerField(
        _("qualité de l’aide"), choices=HelpQuality.choices, null=True, blank=True
    )
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("avis d’usager")
        verbose_name_plural = _("avis d’usagers")
        indexes = [models.Index(fields=["procedure", "created_at"], name="opinion_procedure_at_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(overall__in=[0, 5, 10]), name="opinion_overall_smiley"),
            models.CheckConstraint(
                condition=models.Q(clarity__isnull=True) | models.Q(clarity__gte=1, clarity__lte=5),
                name="opinion_clarity_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Avis sur {self.dossier}"


class TransitionName(models.TextChoices):
    """The transitions of the workflow (their rules: dossiers/workflow.py)."""

    SUBMIT = "submit", _("Déposer le dossier")
    SUBMIT_CORRECTIONS = "submit_corrections", _("Envoyer les corrections")
    START_INSTRUCTION = "start_instruction", _("Passer en instruction")
    REQUEST_CORRECTION = "request_correction", _("Demander une correction")
    ACCEPT = "accept", _("Accepter")
    REFUSE = "refuse", _("Refuser")
    CLOSE = "close", _("Classer sans suite")
    REOPEN = "reopen", _("Rouvrir l’instruction")
    WITHDRAW = "withdraw", _("Retirer le dossier")


class ActKind(models.TextChoices):
    """The acts that a dossier's transitions issue (the table says which: dossiers/workflow.py;
    the documents app makes and seals them)."""

    RECEIPT = "receipt", _("Accusé de réception")
    ACCEPTANCE = "acceptance", _("Décision d’acceptation")
    REFUSAL = "refusal", _("Décision de refus")
    # Not issued by a transition: by the payment of a fee (guichet/payments), which gives its facts.
    QUITTANCE = "quittance", _("Quittance de paiement")


class TransitionLog(AppendOnlyModel):
    """One change of state of a dossier: who, when, from, to and why. Never changed."""

    class ActorRole(models.TextChoices):
        APPLICANT = "applicant", _("Usager")
        INSTRUCTOR = "instructor", _("Instructeur")
        SYSTEM = "system", _("Automatique")

    objects = EliminableQuerySet.as_manager()

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="transitions"
    )
    transition = models.CharField(_("transition"), max_length=40, choices=TransitionName.choices)
    from_state = models.CharField(_("état de départ"), max_length=20, choices=DossierState.choices)
    to_state = models.CharField(_("état d’arrivée"), max_length=20, choices=DossierState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Names software that acted through the API with a service account (« Compte de service : GED
    # (Préfecture) »), which is nobody's account: `actor` is None then. A default in the database too,
    # for the rows written in bulk by SQL (the benchmarks' generators).
    actor_label = models.CharField(_("auteur (libellé)"), max_length=254, blank=True, default="", db_default="")
    actor_role = models.CharField(_("en qualité de"), max_length=20, choices=ActorRole.choices)
    motivation = models.TextField(_("motivation"), blank=True)
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("changement d’état")
        verbose_name_plural = _("changements d’état")
        ordering = ["at", "pk"]
        db_table = "instruction_transitionlog"  # moved from instruction: no data moved
        indexes = [models.Index(fields=["dossier", "at"], name="transition_dossier_at_idx")]

    def __str__(self) -> str:
        return f"{self.dossier} : {self.from_state} → {self.to_state}"

    @property
    def actor_name(self) -> str:
        """Who made the change, as the back office shows it: a person's name, a service account's
        label, or "" when the platform did it by itself (reads `actor`: select it with the row)."""
        if self.actor is not None:
            return self.actor.get_full_name() or self.actor.email
        return self.actor_label


class DossierChange(models.Model):
    """One change of a filed dossier that its readers through the API may want to know of (state,
    group, labels, assignee, annotations, messages, acts), written in the transaction of the change
    (dossiers/changes.py). Its place in the changes feed, `seq`, is given after it committed, by
    one reader of the feed at a time, so that the feed's order is the order of the commits
    (docs/decisions/0028-changes-cursor.md)."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("date"), default=timezone.now)
    seq = models.BigIntegerField(_("rang dans le flux"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("changement d’un dossier")
        verbose_name_plural = _("changements des dossiers")
        indexes = [
            # The changes committed but not yet placed in the feed: few, found at once.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="dossier_change_unplaced_idx"),
            # The pruning of the changes older than the feed keeps (changes.dossier_changes_prune).
            models.Index(fields=["at"], name="dossier_change_at_idx"),
        ]

    def __str__(self) -> str:
        return f"Changement du dossier {self.dossier_id} (n°{self.seq or '…'})"
