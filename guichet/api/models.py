from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A person's key to the API, named by them. Only its SHA-256 is kept: the key itself is shown
    once, when it is made. It acts with its owner's rights, as they are at each call."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    # The first characters of the key, to tell one's keys apart; not enough to guess the rest.
    prefix = models.CharField(_("début de la clé"), max_length=12)
    key_sha256 = models.CharField(_("empreinte de la clé"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d’API")
        verbose_name_plural = _("jetons d’API")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ServiceAccount(models.Model):
    """An organisation's software (its case-management tool, its GED…) calling the API without a
    person: made and revoked by the organisation's administrators, with scopes, the procedures it
    reaches (none ticked: every procedure of the organisation and of its sub-organisations) and,
    optionally, the client addresses it may call from."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="service_accounts",
    )
    name = models.CharField(_("nom"), max_length=100)
    procedures = models.ManyToManyField(
        "procedures.Procedure", verbose_name=_("démarches"), blank=True, related_name="service_accounts"
    )
    # Scope values (api/scopes.py), in Scope's order.
    scopes = models.JSONField(_("droits"), default=list, blank=True)
    # IP addresses and networks (CIDR), as written by the administrators; empty: any address.
    allowed_addresses = models.JSONField(_("adresses autorisées"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("compte de service")
        verbose_name_plural = _("comptes de service")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How the audit trail and the screens name it."""
        return f"Compte de service : {self.name} ({self.organisation.name})"


class ServiceToken(models.Model):
    """A service account's key (`gcs_…`). Only its SHA-256 is kept. Rotation makes a new one and
    gives the old one an expiry, so that the software can switch without a gap."""

    account = models.ForeignKey(
        ServiceAccount, verbose_name=_("compte de service"), on_delete=models.CASCADE, related_name="tokens"
    )
    prefix = models.CharField(_("début de la clé"), max_length=12)
    key_sha256 = models.CharField(_("empreinte de la clé"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton de compte de service")
        verbose_name_plural = _("jetons de compte de service")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}…"
