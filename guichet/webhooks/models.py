"""Webhooks: what an organisation subscribes to (WebhookSubscription), each event told once
(WebhookMessage, with its stable id) and its sending to each subscription (WebhookDelivery, retried
with backoff). docs/decisions/0027-webhooks.md."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.encryption import EncryptedTextField


class WebhookEvent(models.TextChoices):
    DOSSIER_SUBMITTED = "dossier.submitted", _("Dossier déposé")
    DOSSIER_CORRECTIONS_REQUESTED = "dossier.corrections_requested", _("Corrections demandées à l’usager")
    DOSSIER_CORRECTIONS_SUBMITTED = "dossier.corrections_submitted", _("Corrections envoyées par l’usager")
    DOSSIER_STATE_CHANGED = "dossier.state_changed", _("Changement d’état d’un dossier")
    DOSSIER_MESSAGE_RECEIVED = "dossier.message_received", _("Nouveau message sur un dossier")
    ACT_ISSUED = "act.issued", _("Acte émis")


class WebhookSubscription(models.Model):
    """An address that an organisation's software gives to be told of events, on all the
    procedures of the organisation (and of its sub-organisations) or on one procedure."""

    class DisabledReason(models.TextChoices):
        GONE = "gone", _("Le serveur a répondu 410 (Gone)")
        FAILING = "failing", _("Échecs continus pendant plusieurs jours")
        MANUAL = "manual", _("Désactivé par un administrateur")

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("démarche"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.URLField(_("adresse de réception"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("événements"), default=list)
    # `whsec_` secrets (Standard Webhooks), encrypted at rest; the previous one still signs, beside
    # the current one, until `previous_secret_until` (a rotation gives receivers time to switch).
    secret = EncryptedTextField(_("secret de signature (chiffré)"))
    previous_secret = EncryptedTextField(_("secret précédent (chiffré)"), blank=True, default="")
    previous_secret_until = models.DateTimeField(_("secret précédent valable jusqu’au"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("désactivée le"), null=True, blank=True)
    disabled_reason = models.CharField(
        _("motif de la désactivation"), max_length=20, choices=DisabledReason.choices, blank=True
    )
    # Since when every attempt failed (None after a success): past GUICHET_WEBHOOKS_DISABLE_AFTER_DAYS,
    # the subscription is disabled.
    failing_since = models.DateTimeField(_("en échec depuis"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("abonnement webhook")
        verbose_name_plural = _("abonnements webhook")
        ordering = ["organisation", "pk"]
        indexes = [models.Index(fields=["organisation", "active"], name="webhook_sub_org_active_idx")]

    def __str__(self) -> str:
        return self.description or self.url

    def event_labels(self) -> list[str]:
        return [str(WebhookEvent(event).label) for event in self.events if event in WebhookEvent.values]


class WebhookMessage(models.Model):
    """One event, told to every subscription that matched it when it happened. `msg_id` is the
    `webhook-id` header: the same at every attempt and replay, the receiver's idempotency key.
    `source` says what emitted it ("transition:12:dossier.submitted"): an emission repeated (a
    retried step) finds it and makes nothing twice."""

    msg_id = models.CharField(_("identifiant"), max_length=40, unique=True)
    source = models.CharField(_("origine"), max_length=120, unique=True)
    event = models.CharField(_("événement"), max_length=40, choices=WebhookEvent.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    # Ids only (the dossier may be eliminated later; the payload keeps what was told).
    dossier_id = models.BigIntegerField(_("dossier"), null=True, blank=True)
    payload = models.JSONField(_("contenu"))
    created_at = models.DateTimeField(_("émis le"))

    class Meta:
        verbose_name = _("événement webhook")
        verbose_name_plural = _("événements webhook")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} {self.msg_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    DELIVERED = "delivered", _("Reçu")
    FAILED = "failed", _("En échec, nouvel essai prévu")
    ABANDONED = "abandoned", _("Abandonné")


class WebhookDelivery(models.Model):
    """A message sent to one subscription: retried with backoff until a 2xx answer, or abandoned.
    A manual replay is another delivery of the same message (same `webhook-id`)."""

    message = models.ForeignKey(
        WebhookMessage, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("abonnement"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(_("état"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # When it is due; a worker that takes it moves it forward by its lease (a worker that dies gives
    # it back when the lease ends). None once delivered or abandoned.
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("dernier essai"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("code de la dernière réponse"), null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("durée de la dernière réponse (ms)"), null=True, blank=True)
    last_response_excerpt = models.CharField(_("début de la dernière réponse"), max_length=500, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("reçu le"), null=True, blank=True)
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("renvoyé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("envoi webhook")
        verbose_name_plural = _("envois webhook")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_sub_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message} → {self.subscription_id} ({self.get_status_display()})"
