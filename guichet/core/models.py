from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row that may only ever be added."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} ne peut pas être modifié.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} ne peut pas être supprimé.")


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} ne peut pas être supprimé.")


class AuditEvent(AppendOnlyModel):
    """One thing that somebody (or the platform itself) did. Events form a hash chain: each stores
    the SHA-256 of the previous one, so that changing or removing any stored event is detected by
    `manage.py audit_verify`.

    A request only appends the event; the sealer (`audit_seal`, run every second by
    `manage.py audit_seal --every 1`) gives it its rank and its hashes in commit order, so that
    writes never wait for one another on the chain (decision 0001). Until then `seq` and `hash` are
    empty."""

    seq = models.PositiveBigIntegerField(_("rang"), null=True, blank=True, unique=True)
    occurred_at = models.DateTimeField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        # An audit trail must keep naming who acted: people are anonymised, never deleted.
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("auteur (libellé)"), max_length=254)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("type d’objet"), max_length=100, blank=True)
    object_id = models.CharField(_("identifiant de l’objet"), max_length=64, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)
    prev_hash = models.CharField(_("empreinte précédente"), max_length=64, blank=True)
    hash = models.CharField(_("empreinte"), max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("événement d’audit")
        verbose_name_plural = _("événements d’audit")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # What the sealer reads: the few events not sealed yet, in the order they were added.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"),
        ]

    def __str__(self) -> str:
        rank = f"#{self.seq}" if self.seq is not None else "(à sceller)"
        return f"{rank} {self.action} ({self.actor_label})"


class AuditChainHead(models.Model):
    """The single row that records the end of the audit chain. The sealer locks it, which orders
    events, and it reveals events removed from the end of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton")]

    def __str__(self) -> str:
        return f"fin de la chaîne d’audit : n°{self.seq}"


class Sequence(models.Model):
    """A named gapless counter, e.g. the dossier numbers of one year."""

    name = models.CharField(max_length=64, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} = {self.last_value}"
