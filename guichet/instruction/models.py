from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import TimeStampedModel


def _private_storage():
    return storages["private"]


class ExpertInvitation(TimeStampedModel):
    """Someone asked for their opinion (avis) on one dossier; they see it only while invited."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="expert_invitations",
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invité par"), on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("question posée"))
    # The instructor may ask for a plain « oui / non » besides the written opinion.
    ask_yes_no = models.BooleanField(_("réponse oui / non demandée"), default=False)
    confidential = models.BooleanField(_("avis confidentiel"), default=False)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    answer = models.TextField(_("avis"), blank=True)
    answer_yes_no = models.BooleanField(_("réponse oui / non"), null=True, blank=True)
    answer_file = models.ForeignKey(
        "dossiers.DossierFile",
        verbose_name=_("pièce jointe de l’avis"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("avis donné le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande d’avis")
        verbose_name_plural = _("demandes d’avis")

    def __str__(self) -> str:
        return f"{self.expert} sur {self.dossier}"


class DossierFollow(models.Model):
    """An instructor follows a dossier: it is in their « suivis » list."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("instructeur"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("suivi depuis"), auto_now_add=True)

    class Meta:
        verbose_name = _("dossier suivi")
        verbose_name_plural = _("dossiers suivis")
        constraints = [models.UniqueConstraint(fields=["user", "dossier"], name="unique_dossier_follow")]

    def __str__(self) -> str:
        return f"{self.user} suit {self.dossier}"


class BulkAction(TimeStampedModel):
    """One action on many dossiers at once (up to BULK_LIMIT), run by the worker dossier by
    dossier: each dossier's outcome is kept, and one refused does not stop the others."""

    class Action(models.TextChoices):
        FOLLOW = "follow", _("Suivre")
        START_INSTRUCTION = "start_instruction", _("Passer en instruction")
        ACCEPT = "accept", _("Accepter")
        REFUSE = "refuse", _("Refuser")
        CLOSE = "close", _("Classer sans suite")
        PUT_ASIDE = "archive", _("Mettre de côté")  # the value as first stored
        MESSAGE = "message", _("Envoyer un message")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandée par"), on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    text = models.TextField(_("motivation ou message"), blank=True)
    dossier_ids = models.JSONField(_("dossiers"), default=list)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # {dossier id: "" when done, else why it was not}; filled as the worker goes.
    outcomes = models.JSONField(_("résultats"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("action groupée")
        verbose_name_plural = _("actions groupées")

    def __str__(self) -> str:
        return f"{self.get_action_display()} × {len(self.dossier_ids)}"

    @property
    def progress(self) -> int:
        """Percent of the dossiers handled."""
        return round(100 * len(self.outcomes) / len(self.dossier_ids)) if self.dossier_ids else 100

    @property
    def failures(self) -> dict[str, str]:
        return {key: why for key, why in self.outcomes.items() if why}


class Label(models.Model):
    """A tag that a procedure's instructors put on dossiers to sort their work (« urgent », « pièce
    manquante »...)."""

    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="labels"
    )
    name = models.CharField(_("nom"), max_length=60)
    dossiers = models.ManyToManyField("dossiers.Dossier", verbose_name=_("dossiers"), related_name="labels", blank=True)

    class Meta:
        verbose_name = _("étiquette")
        verbose_name_plural = _("étiquettes")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["procedure", "name"], name="unique_label_per_procedure")]

    def __str__(self) -> str:
        return self.name


class NotificationMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Un courriel à chaque fois")
    DIGEST = "digest", _("Un résumé quotidien")
    NONE = "none", _("Aucun courriel")


class NotificationPreference(models.Model):
    """How an instructor wants to hear of what happens on their groups' dossiers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    mode = models.CharField(
        _("notifications"), max_length=20, choices=NotificationMode.choices, default=NotificationMode.IMMEDIATE
    )

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self) -> str:
        return f"{self.user} : {self.get_mode_display()}"


class InstructorNotification(models.Model):
    """Something an instructor is told of: emailed at once, or kept for the daily digest."""

    class Kind(models.TextChoices):
        NEW_DOSSIER = "new_dossier", _("Nouveau dossier")
        MESSAGE = "message", _("Nouveau message")
        CORRECTION = "correction", _("Dossier corrigé")
        WITHDRAWAL = "withdrawal", _("Dossier retiré")
        AVIS = "avis", _("Avis d’expert")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("texte"), max_length=300)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification d’instructeur")
        verbose_name_plural = _("notifications d’instructeurs")
        indexes = [models.Index(fields=["sent_at", "user"], name="notification_unsent_idx")]

    def __str__(self) -> str:
        return f"{self.user} : {self.text}"


class ListPreference(models.Model):
    """What an instructor chose to see in a procedure's lists (and to export): the answer columns
    added to the dossier's own, in their order."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    answer_columns = models.JSONField(_("colonnes de réponses"), default=list, blank=True)

    class Meta:
        verbose_name = _("colonnes choisies")
        verbose_name_plural = _("colonnes choisies")
        constraints = [models.UniqueConstraint(fields=["user", "procedure"], name="unique_list_preference")]

    def __str__(self) -> str:
        return f"{self.user} — {self.procedure}"


class ExportJob(TimeStampedModel):
    """A large export written by the worker into a file that its author downloads for a while."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("En échec")

    # The person who asked; none when software asked through the API with a service account.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    # Asked through the API: who may follow and download it (the API's key of its caller, « user:12 »,
    # « service:3 »), and the instructor groups whose dossiers it holds (null: the actor's own groups).
    api_owner = models.CharField(_("demandé par l’API pour"), max_length=40, blank=True, default="")
    group_ids = models.JSONField(_("groupes exportés"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=10)
    # The list's filters (lists.ListFilters as a dict) and the columns' ids, as asked.
    filters = models.JSONField(_("filtres de la liste"), default=dict, blank=True)
    columns = models.JSONField(_("colonnes"), default=list, blank=True)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.PENDING)
    rows_done = models.PositiveIntegerField(_("lignes écrites"), default=0)
    rows_total = models.PositiveIntegerField(_("lignes à écrire"), default=0)
    file = models.FileField(_("fichier"), storage=_private_storage, upload_to="exports/", max_length=200, blank=True)
    expires_at = models.DateTimeField(_("disponible jusqu’au"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"Export {self.format} de {self.procedure} ({self.get_status_display()})"

    @property
    def progress(self) -> int:
        return 100 if self.status == self.Status.DONE else round(100 * self.rows_done / max(self.rows_total, 1))


class FollowUpStep(models.Model):
    """One step of what follows a transition (instruction/followup.py): issue its act, email the
    applicant, notify the instructors... Written in the transition's transaction, so that nothing
    that must follow is ever lost; run by the worker in order, each once, retried with backoff."""

    class Name(models.TextChoices):
        ISSUE_ACT = "issue_act", _("Émettre l’acte")
        EMAIL_APPLICANT = "email_applicant", _("Informer l’usager par courriel")
        NOTIFY_INSTRUCTORS = "notify_instructors", _("Prévenir les instructeurs")
        SEND_LATE_ACT = "send_late_act", _("Envoyer l’acte émis après le courriel")
        WEBHOOKS = "webhooks", _("Notifier les webhooks")
        AWAIT_PAYMENT = "await_payment", _("Attendre le paiement des frais avant de remettre l’acte")
        EXCHANGES = "exchanges", _("Informer les autres administrations (HubEE)")
        ISSUE_INVOICE = "issue_invoice", _("Facturer les frais à l’entreprise")
        CANCEL_INVOICE = "cancel_invoice", _("Annuler la facture des frais par un avoir")

    class Status(models.TextChoices):
        PENDING = "pending", _("À faire")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Fait")
        FAILED = "failed", _("Abandonné après plusieurs essais")
        SKIPPED = "skipped", _("Sans objet")

    transition = models.ForeignKey(
        "dossiers.TransitionLog", verbose_name=_("changement d’état"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("étape"), max_length=30, choices=Name.choices)
    position = models.PositiveSmallIntegerField(_("rang"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    run_after = models.DateTimeField(_("à faire à partir de"))
    # A worker that takes the step holds it until then; past it, a worker that died is replaced.
    claimed_until = models.DateTimeField(_("pris jusqu’à"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    outcome = models.JSONField(_("résultat"), default=dict, blank=True)
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)

    class Meta:
        verbose_name = _("étape de suivi")
        verbose_name_plural = _("étapes de suivi")
        ordering = ["transition", "position"]
        constraints = [models.UniqueConstraint(fields=["transition", "name"], name="unique_followup_step")]
        indexes = [models.Index(fields=["status", "run_after"], name="followup_status_run_after_idx")]

    def __str__(self) -> str:
        return f"{self.get_name_display()} ({self.get_status_display()})"
