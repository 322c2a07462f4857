"""Dossiers exchanged with other administrations through HubEE (docs/exchange.md,
docs/decisions/0034-hubee-receiving.md and 0035-hubee-sending.md).

Receiving: a HubeeSubscription per HubEE démarche (its client id and secret, encrypted) says in which
procedure its cases become dossiers, and its HubeeFieldMappings say which of the case's data fills
which field; each case received is a ReceivedCase (unique on HubEE's case id: a case delivered again
makes no second dossier), each status told back a StatusSent (unique per transition: told once), and
each event that the case's sender added afterwards (a message, files) a ReceivedEvent, written with
the dossier's message it became (unique per event: a notification delivered again writes nothing).
Sending: a procedure's HubeeTransmission sends each filed dossier as a folder (SentFolder)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.encryption import EncryptedTextField


class CaseStatus(models.TextChoices):
    """A HubEE case's statuses, as HubEE documents them (api_folder_v1.2.7, Case.status)."""

    HUBEE_NOTIFIED = "HUBEE_NOTIFIED", _("Transmis par HubEE")
    SENT = "SENT", _("Envoyé")
    SI_RECEIVED = "SI_RECEIVED", _("Reçu par l’administration destinataire")
    SI_INTG_ERROR = "SI_INTG_ERROR", _("Erreur d’intégration chez le destinataire")
    IN_PROGRESS = "IN_PROGRESS", _("En cours d’instruction")
    ADD_AWAITING = "ADD_AWAITING", _("Compléments attendus")
    REFUSED = "REFUSED", _("Refusé")
    DONE = "DONE", _("Terminé")
    CLOSED = "CLOSED", _("Clos")


class HubeeSubscription(models.Model):
    """A town hall's subscription to one HubEE démarche, as a receiving information system (SI)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("démarche Guichet"), on_delete=models.PROTECT, related_name="+"
    )
    process_code = models.CharField(_("code de la démarche HubEE"), max_length=30)
    client_id = models.CharField(_("identifiant client HubEE"), max_length=200)
    client_secret = EncryptedTextField(_("secret client HubEE (chiffré)"))
    # The attachment whose content (JSON or XML) holds the démarche's answers: « data.… » sources read it.
    data_attachment_type = models.CharField(_("type de la pièce qui porte les données"), max_length=100, blank=True)
    # The account that received dossiers are filed under: the applicant follows them on the online
    # service they used (service-public.fr), told by the statuses sent back.
    applicant_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("compte de dépôt"), on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("dernière relève"), null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement HubEE")
        verbose_name_plural = _("abonnements HubEE")
        ordering = ["organisation", "process_code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "process_code"], name="unique_hubee_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.process_code} → {self.procedure_id}"


class HubeeFieldMapping(models.Model):
    """One field of the procedure and where its answer comes from in a HubEE case: `applicant.firstName`,
    `applicant.lastName`, `applicant.email`, `case.externalId`, `data.<path>` (in the data attachment,
    dotted) or `attachment.<type>` (a file field: the case's attachment of that type)."""

    subscription = models.ForeignKey(
        HubeeSubscription, verbose_name=_("abonnement"), on_delete=models.CASCADE, related_name="mappings"
    )
    field_id = models.CharField(_("champ de la démarche"), max_length=100)
    source = models.CharField(_("donnée HubEE"), max_length=200)

    class Meta:
        verbose_name = _("correspondance de champ HubEE")
        verbose_name_plural = _("correspondances de champs HubEE")
        ordering = ["subscription", "pk"]
        constraints = [models.UniqueConstraint(fields=["subscription", "field_id"], name="unique_hubee_mapping")]

    def __str__(self) -> str:
        return f"{self.field_id} ← {self.source}"


class ReceivedCase(models.Model):
    """A HubEE case received: the dossier made of it, or why none could be (told to HubEE as
    SI_INTG_ERROR). HubEE's case id is unique: a case delivered again finds its row."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Dossier créé")
        REJECTED = "rejected", _("Intégration impossible")

    subscription = models.ForeignKey(
        HubeeSubscription, verbose_name=_("abonnement"), on_delete=models.CASCADE, related_name="cases"
    )
    case_id = models.CharField(_("identifiant du télédossier HubEE"), max_length=64, unique=True)
    external_id = models.CharField(_("référence du télédossier"), max_length=100)
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices)
    error = models.TextField(_("erreur"), blank=True)
    applicant = models.JSONField(_("demandeur selon HubEE"), default=dict)
    received_at = models.DateTimeField(_("reçu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("télédossier reçu")
        verbose_name_plural = _("télédossiers reçus")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.external_id


class StatusSent(models.Model):
    """A status told to HubEE for a received dossier's transition: once per transition."""

    case = models.ForeignKey(
        ReceivedCase, verbose_name=_("télédossier"), on_delete=models.CASCADE, related_name="statuses"
    )
    transition = models.OneToOneField(
        "dossiers.TransitionLog", verbose_name=_("changement d’état"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("statut HubEE"), max_length=15, choices=CaseStatus.choices)
    event_id = models.CharField(_("événement HubEE"), max_length=64)
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("statut envoyé à HubEE")
        verbose_name_plural = _("statuts envoyés à HubEE")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return self.status


class ReceivedEvent(models.Model):
    """An event that the sender of a received case added to it afterwards (a message, files
    deposited), become a message from the applicant on the dossier: written in the message's own
    transaction, once per event, so that a notification delivered again, or acknowledged too late,
    never writes a second message."""

    case = models.ForeignKey(
        ReceivedCase, verbose_name=_("télédossier"), on_delete=models.CASCADE, related_name="events"
    )
    event_id = models.CharField(_("événement HubEE"), max_length=64)
    action_type = models.CharField(_("nature de l’événement"), max_length=100)
    message = models.OneToOneField(
        "dossiers.Message",
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refused = models.JSONField(_("fichiers refusés"), default=list)  # why each refused file was, in French
    received_at = models.DateTimeField(_("reçu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("événement HubEE reçu")
        verbose_name_plural = _("événements HubEE reçus")
        ordering = ["received_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "event_id"], name="unique_hubee_received_event")]

    def __str__(self) -> str:
        return f"{self.case_id} : {self.event_id}"


class HubeeTransmission(models.Model):
    """A procedure's setting: each dossier filed is sent through HubEE to another administration
    (identified by its SIRET and its branch code), as an online service (OSL) of that démarche."""

    procedure = models.OneToOneField(
        "procedures.Procedure", verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="+"
    )
    process_code = models.CharField(_("code de la démarche HubEE"), max_length=30)
    client_id = models.CharField(_("identifiant client HubEE"), max_length=200)
    client_secret = EncryptedTextField(_("secret client HubEE (chiffré)"))
    recipient_siret = models.CharField(_("SIRET du destinataire"), max_length=14)
    recipient_branch_code = models.CharField(_("code de l’organisme destinataire"), max_length=10)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("transmission HubEE")
        verbose_name_plural = _("transmissions HubEE")

    def __str__(self) -> str:
        return f"{self.procedure_id} → {self.recipient_siret}"


class SentFolder(models.Model):
    """A dossier sent through HubEE: the folder made (its id kept before anything is uploaded, so
    that a retry goes on with it), and the remote case's status, shown to the applicant and the
    instructors."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="+"
    )
    transmission = models.ForeignKey(
        HubeeTransmission, verbose_name=_("transmission"), on_delete=models.CASCADE, related_name="folders"
    )
    folder_id = models.CharField(_("identifiant du télédossier HubEE"), max_length=64)
    case_id = models.CharField(_("identifiant du cas HubEE"), max_length=64)
    # Attachment id at HubEE → {"file": DossierFile key} or {"act": Act id}; "uploaded": done.
    attachments = models.JSONField(_("pièces"), default=dict)
    completed_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    remote_status = models.CharField(
        _("statut chez le destinataire"), max_length=15, choices=CaseStatus.choices, blank=True
    )
    remote_status_at = models.DateTimeField(_("statut relevé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("télédossier transmis")
        verbose_name_plural = _("télédossiers transmis")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.folder_id


class ActDeposit(models.Model):
    """An act issued after a dossier's case was made (a decision, a receipt of a dossier received),
    deposited on that HubEE case by an ATTACH_DEPOSIT event, so that the other side (the applicant's
    online service, or the administration the dossier was sent to) gets it: the event and its
    attachment ids are kept before the upload, so that a retry uploads to the same event."""

    act = models.OneToOneField("documents.Act", verbose_name=_("acte"), on_delete=models.CASCADE, related_name="+")
    case_id = models.CharField(_("identifiant du cas HubEE"), max_length=64)
    event_id = models.CharField(_("événement HubEE"), max_length=64)
    attachment_id = models.CharField(_("pièce HubEE"), max_length=64)
    uploaded_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("annoncé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("acte déposé sur HubEE")
        verbose_name_plural = _("actes déposés sur HubEE")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.act_id} → {self.case_id}"
