from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import TimeStampedModel

from .dossier import Dossier


class SourceOutcome(models.TextChoices):
    """What a source answered for a field: its value (certified), or why the applicant types it."""

    CERTIFIED = "certified", _("Donnée certifiée")
    NOT_FOUND = "not_found", _("Introuvable")
    UNAVAILABLE = "unavailable", _("Source indisponible")
    TIMEOUT = "timeout", _("Source trop lente")
    RATE_LIMITED = "rate_limited", _("Trop de demandes à la source")
    REFUSED = "refused", _("Accès refusé par la source")
    NOT_CONFIGURED = "not_configured", _("Source non configurée")
    NO_IDENTITY = "no_identity", _("Usager non connecté avec FranceConnect")


class SourcedValue(TimeStampedModel):
    """A field's answer as a data source gave it (API Entreprise, API Particulier), kept beside the
    dossier's answers with its source and date; or, when the source failed, why the applicant typed
    it. A certified value cannot be changed by the applicant (dossiers/sourced.py puts it back)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="sourced_values"
    )
    field_id = models.CharField(_("champ"), max_length=63)
    provider = models.CharField(_("source"), max_length=20)
    datum = models.CharField(_("donnée"), max_length=40)
    outcome = models.CharField(_("résultat"), max_length=20, choices=SourceOutcome.choices)
    value = models.JSONField(_("valeur transmise"), null=True, blank=True)
    # API Entreprise: the form's SIRET field, and the SIRET it held when the source was asked.
    siret_field = models.CharField(_("champ SIRET"), max_length=63, blank=True)
    subject = models.CharField(_("SIRET demandé"), max_length=14, blank=True)
    # API Particulier: the text that the applicant agreed to before the call.
    consent = models.TextField(_("consentement donné"), blank=True)
    fetched_at = models.DateTimeField(_("demandé le"))

    class Meta:
        verbose_name = _("donnée issue d’une source")
        verbose_name_plural = _("données issues de sources")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "field_id"], name="unique_sourced_value_field"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=[choice.value for choice in SourceOutcome]),
                name="sourced_value_outcome_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field_id} ({self.get_outcome_display()})"

    @property
    def certified(self) -> bool:
        return self.outcome == SourceOutcome.CERTIFIED
