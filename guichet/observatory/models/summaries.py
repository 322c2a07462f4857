"""The summary tables that the aggregation task fills from the rest of Guichet (each procedure's
quality indicators per edition, its months), the platform's visits of the start pages they are
computed from, and the runs of the aggregation. The public pages read these, never the dossiers."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import indicators
from .programme import ProgrammeEntry


class ProcedureQuality(models.Model):
    """The computed quality indicators of one programme entry published in Guichet in one edition
    (a quarter, as the state's observatory publishes them): each run of the aggregation rewrites
    the current quarter's edition and leaves the past ones as they were. The declared values stay
    on the entry; each edition keeps a copy of them as they were at its last computation, so that
    a past edition shows what it showed then."""

    entry = models.ForeignKey(
        ProgrammeEntry, verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="qualities"
    )
    edition = models.CharField(
        _("édition"),
        max_length=7,
        validators=[RegexValidator(indicators.EDITION_PATTERN)],
        help_text=_("Le trimestre : « 2026-T4 »."),
    )
    computed_at = models.DateTimeField(_("calculé le"))
    # The declared values as they were at the edition's last computation.
    online_status = models.CharField(_("en ligne (à ce calcul)"), max_length=20, blank=True)
    rgaa_rate = models.DecimalField(
        _("taux RGAA déclaré (à ce calcul)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # « Dites-le-nous une fois »: computed from the procedure's published form (decision 0033), the
    # data it asks although the state holds them, and the share of its questions a source fills.
    dlnuf_count = models.PositiveSmallIntegerField(_("« Dites-le-nous une fois » (à ce calcul)"), null=True)
    sourced_share_pct = models.FloatField(_("part des champs remplis par une source (%)"), null=True)
    declared_yearly_volume = models.PositiveIntegerField(_("volume annuel déclaré (à ce calcul)"), null=True)
    # The applicants' opinions of the last 12 months.
    opinions_count = models.PositiveIntegerField(_("avis (12 mois)"), default=0)
    satisfaction = models.FloatField(_("satisfaction /10"), null=True)
    clarity_count = models.PositiveIntegerField(_("avis sur la clarté (12 mois)"), default=0)
    clarity = models.FloatField(_("clarté du langage /10"), null=True)
    help_needed_count = models.PositiveIntegerField(_("avis ayant eu besoin d’aide (12 mois)"), default=0)
    help_used_pct = models.FloatField(_("besoin d’aide (%)"), null=True)
    help_reachable_pct = models.FloatField(_("aide joignable (%)"), null=True)
    help_efficiency = models.FloatField(_("efficacité de l’aide /10"), null=True)
    franceconnect = models.BooleanField(_("FranceConnect proposé"), default=False)
    # Requests of the last 12 months: filed in Guichet, and recorded for the other channels.
    online_12_months = models.PositiveIntegerField(_("dossiers déposés en ligne (12 mois)"), default=0)
    other_channels_12_months = models.PositiveIntegerField(_("demandes par les autres canaux (12 mois)"), default=0)
    online_share_pct = models.FloatField(_("part des demandes en ligne (%)"), null=True)
    # Time from submission to decision, for the decisions of the last 30 days.
    decisions_30_days = models.PositiveIntegerField(_("décisions (30 jours)"), default=0)
    processing_median_days = models.FloatField(_("délai médian (jours)"), null=True)
    processing_p90_days = models.FloatField(_("délai du 9e décile (jours)"), null=True)
    # From the platform's own visits of the start page (PageProbe): availability over 3 months,
    # and the median time the page took over 30 days.
    uptime_pct = models.FloatField(_("disponibilité sur 3 mois (%)"), null=True)
    load_seconds = models.FloatField(_("temps d’affichage médian (s)"), null=True)

    class Meta:
        verbose_name = _("qualité d’une démarche (calculée)")
        verbose_name_plural = _("qualité des démarches (calculée)")
        constraints = [
            models.UniqueConstraint(fields=["entry", "edition"], name="unique_quality_entry_edition"),
        ]
        indexes = [models.Index(fields=["edition"], name="quality_edition_idx")]

    def __str__(self) -> str:
        return f"Qualité de {self.entry} ({self.edition})"

    @property
    def yearly_volume(self) -> int:
        return self.online_12_months + self.other_channels_12_months


class PageProbe(models.Model):
    """One visit of a procedure's start page by the platform itself (observatory/probes.py): whether
    it answered, and how long the page took to come. Uptime and load time are computed from them."""

    entry = models.ForeignKey(ProgrammeEntry, verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("le"))
    ok = models.BooleanField(_("page servie"))
    status = models.PositiveSmallIntegerField(_("code HTTP"), null=True, blank=True)
    seconds = models.FloatField(_("durée (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("visite de contrôle")
        verbose_name_plural = _("visites de contrôle")
        indexes = [models.Index(fields=["entry", "at"], name="probe_entry_at_idx")]

    def __str__(self) -> str:
        return f"{self.entry} — {self.at:%Y-%m-%d %H:%M} — {'ok' if self.ok else 'échec'}"


class ProcedureMonth(models.Model):
    """One month of one procedure published in Guichet (filled by the aggregation task): dossiers
    filed, decisions and their processing time, opinions."""

    entry = models.ForeignKey(
        ProgrammeEntry, verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="months"
    )
    month = models.DateField(_("mois"))
    submitted_count = models.PositiveIntegerField(_("dossiers déposés"), default=0)
    decided_count = models.PositiveIntegerField(_("décisions"), default=0)
    processing_median_days = models.FloatField(_("délai médian (jours)"), null=True)
    processing_p90_days = models.FloatField(_("délai du 9e décile (jours)"), null=True)
    opinions_count = models.PositiveIntegerField(_("avis"), default=0)
    satisfaction = models.FloatField(_("satisfaction /10"), null=True)

    class Meta:
        verbose_name = _("mois d’une démarche (calculé)")
        verbose_name_plural = _("mois des démarches (calculés)")
        ordering = ["entry", "month"]
        constraints = [models.UniqueConstraint(fields=["entry", "month"], name="unique_procedure_month")]

    def __str__(self) -> str:
        return f"{self.entry} — {self.month:%m/%Y}"


class AggregationRun(models.Model):
    """One run of the aggregation: when, why, and how it ended."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("Quotidien")
        ON_DEMAND = "on_demand", _("À la demande")
        COMMAND = "command", _("Ligne de commande")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("En échec")

    trigger = models.CharField(_("déclenchement"), max_length=20, choices=Trigger.choices)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    entries = models.PositiveIntegerField(_("démarches calculées"), default=0)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("calcul des indicateurs")
        verbose_name_plural = _("calculs des indicateurs")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} — {self.get_status_display()}"
