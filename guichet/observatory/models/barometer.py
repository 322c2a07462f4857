"""The results barometer: its indicators, their initial values and targets per zone, and their
measured values (entered by the steering team or computed by Guichet)."""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import TimeStampedModel

from .. import indicators
from .programme import ProgrammeEntry


class Direction(models.TextChoices):
    HIGHER = "higher", _("Plus haut, c’est mieux")
    LOWER = "lower", _("Plus bas, c’est mieux")


class Computation(models.TextChoices):
    """Where an indicator's values come from."""

    ENTERED = "entered", _("Saisi par l’équipe de pilotage")
    PROCEDURE_ONLINE_SHARE = "procedure_online_share", _("Calculé : part des demandes d’une démarche faites en ligne")
    PROGRAMME_ONLINE_SHARE = "programme_online_share", _("Calculé : part des démarches du programme en ligne")


validate_zone = RegexValidator(
    indicators.ZONE_PATTERN,
    _("Indiquez FRANCE, une région (R suivi de son code, par exemple R53) ou un département (D01, D2A, D971)."),
)


class Indicator(TimeStampedModel):
    """One indicator of the results barometer, e.g. « part des actes d’état civil demandés en ligne »."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("indicateur"), max_length=250)
    theme = models.CharField(_("mesure ou thème"), max_length=250, blank=True)
    unit = models.CharField(_("unité"), max_length=30, help_text=_("Par exemple : %, jours, dossiers."))
    direction = models.CharField(_("sens"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    computation = models.CharField(
        _("origine des valeurs"), max_length=30, choices=Computation.choices, default=Computation.ENTERED
    )
    entry = models.ForeignKey(
        ProgrammeEntry,
        verbose_name=_("démarche mesurée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        help_text=_("Pour un indicateur calculé sur une démarche."),
    )
    scope_top = models.PositiveIntegerField(
        _("limité aux N démarches les plus utilisées"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Pour la part des démarches du programme en ligne, par exemple les 250 plus utilisées."),
    )

    class Meta:
        verbose_name = _("indicateur du baromètre")
        verbose_name_plural = _("indicateurs du baromètre")
        ordering = ["theme", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(computation="procedure_online_share") | models.Q(entry__isnull=False),
                name="indicator_procedure_share_has_entry",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.computation != Computation.ENTERED


class IndicatorGoal(TimeStampedModel):
    """Where an indicator started and where it should be, in one zone."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicateur"), on_delete=models.CASCADE, related_name="goals"
    )
    zone = models.CharField(_("zone"), max_length=6, default="FRANCE", validators=[validate_zone])
    initial_value = models.FloatField(_("valeur initiale"))
    initial_date = models.DateField(_("date de la valeur initiale"))
    target_value = models.FloatField(_("cible"))
    target_date = models.DateField(_("date de la cible"))

    class Meta:
        verbose_name = _("cible d’un indicateur")
        verbose_name_plural = _("cibles des indicateurs")
        ordering = ["indicator", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "zone"], name="unique_indicator_goal_zone"),
            models.CheckConstraint(
                condition=models.Q(target_date__gte=models.F("initial_date")), name="indicator_goal_target_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.zone}"


class IndicatorValue(TimeStampedModel):
    """One measured value of an indicator in one zone at one date."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicateur"), on_delete=models.CASCADE, related_name="values"
    )
    zone = models.CharField(_("zone"), max_length=6, default="FRANCE", validators=[validate_zone])
    date = models.DateField(_("date"))
    value = models.FloatField(_("valeur"))
    computed = models.BooleanField(_("calculée par Guichet"), default=False)

    class Meta:
        verbose_name = _("valeur d’un indicateur")
        verbose_name_plural = _("valeurs des indicateurs")
        ordering = ["indicator", "zone", "date"]
        constraints = [models.UniqueConstraint(fields=["indicator", "zone", "date"], name="unique_indicator_value")]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.zone} — {self.date} : {self.value}"
